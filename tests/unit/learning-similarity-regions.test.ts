import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { closerThan, scaleFrom, similarityQuantile } from "../../lib/learning/similarity-scale";
import { NEAR_ANY_TASK, NEAR_SAME_TASK, patternsContaining, type MemberHit } from "../../lib/learning/pattern-region";

/** Unit vectors at a chosen angle from e0 in the e0–e1 plane: cosine with e0 = c. */
const at = (c: number, dim = 8) => {
  const v = new Array<number>(dim).fill(0);
  v[0] = c;
  v[1] = Math.sqrt(1 - c * c);
  return v;
};

describe("similarity scale", () => {
  it("reads a similarity against the model's own background, whatever its baseline", () => {
    // Two "models": one whose unrelated pairs sit near 0.1, one near 0.5 (as nomic's do).
    const low = scaleFrom([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0.1, 0.1, 0.1, 0.98]]);
    const high = scaleFrom([at(0.5), at(-0.5), [0.5, 0, Math.sqrt(0.75), 0, 0, 0, 0, 0]]);
    expect(closerThan(low, 0.45)).toBe(1); // unusually close for the first model…
    expect(closerThan(high, 0.45)).toBeLessThan(1); // …not for the second
    expect(similarityQuantile(high, 1)).toBeGreaterThan(similarityQuantile(low, 1) - 1e-9);
  });

  it("ignores pairs of one text embedded twice, and an empty background finds nothing near", () => {
    const s = scaleFrom([at(1), at(1), at(0)]);
    expect([...s.background].every((x) => x < 0.999)).toBe(true);
    expect(similarityQuantile(scaleFrom([]), 0.9)).toBe(1);
    expect(closerThan(scaleFrom([]), 0.99)).toBe(0);
  });

  it("quantile and closerThan are inverse and monotone (any background)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 0.99, noNaN: true }), { minLength: 2, maxLength: 50 }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, q) => {
        const scale = { background: Float64Array.from(xs).sort() };
        const s = similarityQuantile(scale, q);
        expect(s).toBeGreaterThanOrEqual(scale.background[0] - 1e-12);
        // a step function against an interpolated quantile: within one background pair
        expect(closerThan(scale, s)).toBeLessThanOrEqual(q + 1 / xs.length + 1e-9);
        expect(closerThan(scale, s)).toBeGreaterThanOrEqual(q - 1 / xs.length - 1e-9);
        expect(similarityQuantile(scale, Math.min(1, q + 0.1))).toBeGreaterThanOrEqual(s - 1e-12);
      }),
    );
  });
});

describe("pattern regions", () => {
  // Background: 1,000 evenly spread similarities in [0, 1): quantile q ≈ q.
  const scale = { background: Float64Array.from({ length: 1000 }, (_, i) => i / 1000) };
  const hit = (pattern_id: string, similarity: number, agrees = true): MemberHit => ({ pattern_id, similarity, agrees });
  const taught = (types: string[]) => () => types;

  it("holds a request near an agreeing member, relative to the background, looser when the task type agrees", () => {
    const between = (NEAR_SAME_TASK + NEAR_ANY_TASK) / 2;
    expect(patternsContaining({ members: [hit("p", between)], taskTypesOf: taught(["algorithm"]), taskType: "algorithm", scale })).toHaveLength(1);
    expect(patternsContaining({ members: [hit("p", between)], taskTypesOf: taught(["algorithm"]), taskType: "debugging", scale })).toHaveLength(0);
    expect(patternsContaining({ members: [hit("p", NEAR_ANY_TASK + 0.005)], taskTypesOf: taught(["algorithm"]), taskType: "debugging", scale })).toHaveLength(1);
    expect(patternsContaining({ members: [hit("p", NEAR_SAME_TASK - 0.05)], taskTypesOf: taught(["algorithm"]), taskType: "algorithm", scale })).toHaveLength(0);
  });

  it("a disagreeing outcome nearer than every agreeing member carves the request out", () => {
    const members = [hit("p", 0.97), hit("p", 0.98, false)];
    expect(patternsContaining({ members, taskTypesOf: taught(["math"]), taskType: "math", scale })).toHaveLength(0);
    const grown = [...members, hit("p", 0.99)];
    const [h] = patternsContaining({ members: grown, taskTypesOf: taught(["math"]), taskType: "math", scale });
    expect(h.patternId).toBe("p");
    expect(h.similarity).toBe(0.99);
    expect(h.closerThan).toBeCloseTo(0.99, 2);
  });

  it("orders several containing patterns nearest first", () => {
    const hits = patternsContaining({ members: [hit("a", 0.95), hit("b", 0.99)], taskTypesOf: taught(["math"]), taskType: "math", scale });
    expect(hits.map((h) => h.patternId)).toEqual(["b", "a"]);
  });
});
