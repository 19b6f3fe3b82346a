/**
 * Beta posterior helpers for success rates: mean, variance, credible intervals, the
 * probability one arm beats another (Monte Carlo and numerical), and the effect size
 * (difference of rates) with its interval. Used by routing dashboards and A/B experiments.
 */
import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";
import { sampleBeta, type Rng } from "./random";

export type BetaParams = { alpha: number; beta: number };
export type Interval = { lower: number; upper: number };

export function betaMean({ alpha, beta }: BetaParams): number {
  return alpha / (alpha + beta);
}

export function betaVariance({ alpha, beta }: BetaParams): number {
  const n = alpha + beta;
  return (alpha * beta) / (n * n * (n + 1));
}

/** Posterior after `successes` of `trials` from a prior (default uniform Beta(1, 1)). */
export function posterior(successes: number, trials: number, prior: BetaParams = { alpha: 1, beta: 1 }): BetaParams {
  return { alpha: prior.alpha + successes, beta: prior.beta + trials - successes };
}

/** Equal-tailed credible interval: by sampling when an rng is given, else the exact Beta quantiles. */
export function credibleInterval(p: BetaParams, level = 0.95, sampling?: { rng: Rng; draws?: number }): Interval {
  const tail = (1 - level) / 2;
  if (sampling) {
    const draws = Array.from({ length: sampling.draws ?? 10_000 }, () => sampleBeta(sampling.rng, p.alpha, p.beta));
    return quantiles(draws, tail);
  }
  return { lower: betaQuantile(tail, p.alpha, p.beta), upper: betaQuantile(1 - tail, p.alpha, p.beta) };
}

/** P(rate_b > rate_a) by Monte Carlo. */
export function probabilityBGreaterThanA(a: BetaParams, b: BetaParams, draws: number, rng: Rng): number {
  let wins = 0;
  for (let i = 0; i < draws; i++) if (sampleBeta(rng, b.alpha, b.beta) > sampleBeta(rng, a.alpha, a.beta)) wins++;
  return wins / draws;
}

/**
 * P(rate_b > rate_a) by numerical integration: ∫ f_b(x) F_a(x) dx on a midpoint grid,
 * densities normalised on the grid (no special functions needed). Accurate to ~1e-3.
 */
export function probabilityBGreaterThanAExact(a: BetaParams, b: BetaParams, steps = 4000): number {
  const fa = gridDensity(a, steps);
  const fb = gridDensity(b, steps);
  let cdfA = 0;
  let p = 0;
  for (let i = 0; i < steps; i++) {
    // F_a at the midpoint of cell i: the mass of cells before it plus half of its own.
    p += fb[i] * (cdfA + fa[i] / 2);
    cdfA += fa[i];
  }
  return Math.min(1, Math.max(0, p));
}

export type EffectSize = { difference: number; interval: Interval; relativeLift: number };

/** rate_b − rate_a: posterior mean of the difference, its credible interval (sampled) and the relative lift of the means. */
export function effectSize(a: BetaParams, b: BetaParams, rng: Rng, { draws = 10_000, level = 0.95 } = {}): EffectSize {
  const diffs = Array.from({ length: draws }, () => sampleBeta(rng, b.alpha, b.beta) - sampleBeta(rng, a.alpha, a.beta));
  const difference = diffs.reduce((s, d) => s + d, 0) / draws;
  const ma = betaMean(a);
  return { difference, interval: quantiles(diffs, (1 - level) / 2), relativeLift: ma === 0 ? Number.NaN : betaMean(b) / ma - 1 };
}

function gridDensity({ alpha, beta }: BetaParams, steps: number): Float64Array {
  const logs = new Float64Array(steps);
  let max = -Infinity;
  for (let i = 0; i < steps; i++) {
    const x = (i + 0.5) / steps;
    logs[i] = (alpha - 1) * Math.log(x) + (beta - 1) * Math.log(1 - x);
    if (logs[i] > max) max = logs[i];
  }
  let total = 0;
  for (let i = 0; i < steps; i++) total += logs[i] = Math.exp(logs[i] - max);
  for (let i = 0; i < steps; i++) logs[i] /= total;
  return logs;
}

function quantiles(values: number[], tail: number): Interval {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * sorted.length)))];
  return { lower: at(tail), upper: at(1 - tail) };
}

/** Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0 || p >= 1) throw new Error(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
