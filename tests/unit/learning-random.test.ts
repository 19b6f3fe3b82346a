import { describe, expect, it } from "vitest";
import { sampleBeta, sampleGamma, sampleNormal, seededRng, shuffled } from "../../lib/learning/random";

const stats = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean: m, variance: xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length };
};
const draw = (n: number, f: () => number) => Array.from({ length: n }, f);

describe("random", () => {
  it("replays the same stream for the same seed and a different one otherwise", () => {
    const a = draw(5, seededRng(42));
    expect(draw(5, seededRng(42))).toEqual(a);
    expect(draw(5, seededRng(43))).not.toEqual(a);
    const xs = draw(10_000, seededRng(1));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });

  it("is roughly uniform", () => {
    const { mean, variance } = stats(draw(20_000, seededRng(7)));
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it("samples normals with the right moments", () => {
    const rng = seededRng(2);
    const { mean, variance } = stats(draw(20_000, () => sampleNormal(rng, 3, 2)));
    expect(mean).toBeCloseTo(3, 1);
    expect(Math.abs(variance - 4)).toBeLessThan(0.15);
  });

  it.each([0.3, 1, 2.5, 10])("samples Gamma(%s) with mean = variance = shape", (shape) => {
    const rng = seededRng(3);
    const { mean, variance } = stats(draw(20_000, () => sampleGamma(rng, shape)));
    expect(Math.abs(mean - shape) / shape).toBeLessThan(0.04);
    expect(Math.abs(variance - shape) / shape).toBeLessThan(0.1);
  });

  it("rejects a non-positive gamma shape", () => {
    expect(() => sampleGamma(seededRng(1), 0)).toThrow();
  });

  it.each([
    [2, 5],
    [0.5, 0.5],
    [30, 10],
  ])("samples Beta(%s, %s) with the right mean and variance", (a, b) => {
    const rng = seededRng(4);
    const xs = draw(20_000, () => sampleBeta(rng, a, b));
    const { mean, variance } = stats(xs);
    expect(mean).toBeCloseTo(a / (a + b), 2);
    expect(Math.abs(variance - (a * b) / ((a + b) ** 2 * (a + b + 1)))).toBeLessThan(0.005);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(1);
  });

  it("shuffles a copy deterministically", () => {
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    const s = shuffled(items, seededRng(9));
    expect([...s].sort()).toEqual(items);
    expect(s).not.toEqual(items);
    expect(shuffled(items, seededRng(9))).toEqual(s);
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
