import { describe, expect, it } from "vitest";
import {
  betaMean,
  betaVariance,
  credibleInterval,
  effectSize,
  normalQuantile,
  posterior,
  probabilityBGreaterThanA,
  probabilityBGreaterThanAExact,
} from "../../lib/learning/beta";
import { seededRng } from "../../lib/learning/random";

describe("beta helpers", () => {
  it("computes mean, variance and the posterior from counts", () => {
    expect(betaMean({ alpha: 2, beta: 8 })).toBeCloseTo(0.2);
    expect(betaVariance({ alpha: 1, beta: 1 })).toBeCloseTo(1 / 12);
    expect(posterior(7, 10)).toEqual({ alpha: 8, beta: 4 });
    expect(posterior(7, 10, { alpha: 2, beta: 3 })).toEqual({ alpha: 9, beta: 6 });
  });

  it("inverts the normal CDF", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
  });

  it("gives credible intervals that agree between sampling and the normal approximation", () => {
    const p = { alpha: 60, beta: 40 };
    const approx = credibleInterval(p);
    const sampled = credibleInterval(p, 0.95, { rng: seededRng(1), draws: 20_000 });
    expect(approx.lower).toBeCloseTo(sampled.lower, 2);
    expect(approx.upper).toBeCloseTo(sampled.upper, 2);
    expect(approx.lower).toBeLessThan(0.6);
    expect(approx.upper).toBeGreaterThan(0.6);
    const narrow = credibleInterval({ alpha: 600, beta: 400 });
    expect(narrow.upper - narrow.lower).toBeLessThan(approx.upper - approx.lower);
    // Skewed posteriors: exact quantiles, not a clipped normal (which gave Beta(4,2) [0.32, 1.0]).
    const skewed = credibleInterval({ alpha: 4, beta: 2 });
    expect(skewed.lower).toBeCloseTo(0.2836, 3);
    expect(skewed.upper).toBeCloseTo(0.9473, 3);
    const nearZero = credibleInterval({ alpha: 1, beta: 30 });
    expect(nearZero.lower).toBeGreaterThan(0);
    expect(nearZero.lower).toBeLessThan(0.001);
    expect(nearZero.upper).toBeCloseTo(1 - Math.pow(0.025, 1 / 30), 6); // Beta(1, b) has a closed-form quantile
  });

  it("computes P(B > A) by Monte Carlo and numerically, and they agree", () => {
    const a = { alpha: 41, beta: 61 }; // 40/100 successes
    const b = { alpha: 51, beta: 51 }; // 50/100 successes
    const exact = probabilityBGreaterThanAExact(a, b);
    const mc = probabilityBGreaterThanA(a, b, 40_000, seededRng(5));
    expect(exact).toBeGreaterThan(0.9);
    expect(exact).toBeLessThan(0.99);
    expect(Math.abs(exact - mc)).toBeLessThan(0.01);
  });

  it("is symmetric: equal posteriors give one half, swapped give the complement", () => {
    const a = { alpha: 3, beta: 7 };
    const b = { alpha: 5, beta: 2 };
    expect(probabilityBGreaterThanAExact(a, a)).toBeCloseTo(0.5, 3);
    expect(probabilityBGreaterThanAExact(a, b) + probabilityBGreaterThanAExact(b, a)).toBeCloseTo(1, 3);
    // Known closed form: P(Beta(1,1) > Beta(1,1)) = 0.5, P(Beta(2,1) > Beta(1,1)) = 2/3.
    expect(probabilityBGreaterThanAExact({ alpha: 1, beta: 1 }, { alpha: 2, beta: 1 })).toBeCloseTo(2 / 3, 3);
  });

  it("handles U-shaped priors numerically", () => {
    const p = probabilityBGreaterThanAExact({ alpha: 0.5, beta: 0.5 }, { alpha: 0.5, beta: 0.5 });
    expect(p).toBeCloseTo(0.5, 2);
  });

  it("reports the effect size with an interval around the true difference", () => {
    const a = { alpha: 201, beta: 801 }; // 20 %
    const b = { alpha: 301, beta: 701 }; // 30 %
    const e = effectSize(a, b, seededRng(8));
    expect(e.difference).toBeCloseTo(0.1, 2);
    expect(e.interval.lower).toBeGreaterThan(0.05);
    expect(e.interval.upper).toBeLessThan(0.15);
    expect(e.relativeLift).toBeCloseTo(0.5, 1);
    const none = effectSize(a, a, seededRng(8));
    expect(none.interval.lower).toBeLessThan(0);
    expect(none.interval.upper).toBeGreaterThan(0);
  });
});
