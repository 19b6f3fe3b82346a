import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { closerThan, scaleFrom, similarityQuantile, withReferences } from "../../lib/learning/similarity-scale";
import { NEAR_ALL_BUT, NEAR_IN_KIND, SAME_KIND, patternsContaining, type MemberHit } from "../../lib/learning/pattern-region";

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
        // a step function against an interpolated quantile: within one background pair. closerThan
        // counts the pairs strictly less similar, so with ties ([0, 0, 0, 0]) the bound from below
        // holds for the pairs at most as similar.
        expect(closerThan(scale, s)).toBeLessThanOrEqual(q + 1 / xs.length + 1e-9);
        expect(scale.background.filter((x) => x <= s).length / xs.length).toBeGreaterThanOrEqual(q - 1 / xs.length - 1e-9);
        expect(similarityQuantile(scale, Math.min(1, q + 0.1))).toBeGreaterThanOrEqual(s - 1e-12);
      }),
    );
  });
});

describe("pattern regions", () => {
  // 100 reference requests whose similarity to the request e0 is 0.00, 0.01, … 0.99, and to e2 is 0.
  const e = (i: number) => Array.from({ length: 3 }, (_, k) => (k === i ? 1 : 0));
  const references = Array.from({ length: 100 }, (_, i) => [i / 100, Math.sqrt(1 - (i / 100) ** 2), 0]);
  const scale = withReferences({ background: Float64Array.from({ length: 1000 }, (_, i) => i / 1000) }, references);
  const hit = (pattern_id: string, similarity: number, agrees = true, embedding?: number[]): MemberHit => ({ pattern_id, similarity, agrees, embedding });
  const taught = (types: string[]) => () => types;
  const query = (members: MemberHit[], algorithm: number, request = e(0)) =>
    patternsContaining({ members, request, taskTypesOf: taught(["algorithm"]), taskProbabilities: { algorithm, debugging: 1 - algorithm }, scale });

  it("holds a request whose agreeing member is nearer than nearly every reference request, whatever its task type", () => {
    const near = 1 - NEAR_ALL_BUT / 2; // nearer than 99% of the references
    expect(query([hit("p", near, true, e(0))], 0)).toHaveLength(1);
    expect(query([hit("p", 1 - NEAR_ALL_BUT * 2, true, e(0))], 0)).toHaveLength(0);
  });

  it("a follow-up is placed only with its task type's agreement, however close ('continue' is near every 'continue')", () => {
    const follow = (algorithm: number) =>
      patternsContaining({ members: [hit("p", 0.999, true, e(0))], request: e(0), taskTypesOf: taught(["algorithm"]), taskProbabilities: { algorithm, debugging: 1 - algorithm }, scale, followUp: true });
    expect(query([hit("p", 0.999, true, e(0))], 0)).toHaveLength(1); // a first request: closeness alone
    expect(follow(0)).toHaveLength(0); // read in its conversation as another kind of request
    expect(follow(SAME_KIND + 0.05)).toHaveLength(1);
  });

  it("by the embedding alone, the closeness must be unusual from both sides", () => {
    // The request e2 is at 0 from every reference: 0.5 is closer than all of them for it. The
    // member e0 has half the references nearer than 0.5.
    expect(query([hit("p", 0.5, true, e(0))], 0, e(2))).toHaveLength(0);
    expect(query([hit("p", 0.5, true, e(2))], 0, e(2))).toHaveLength(1);
    // With the classifier's agreement, one side is enough.
    expect(query([hit("p", 0.5, true, e(0))], 1, e(2))).toHaveLength(1);
  });

  it("with the classifier's agreement, holds a request the embedding finds only fairly near", () => {
    const fairly = 1 - NEAR_IN_KIND + 0.05; // nearer than 85% of the references
    expect(query([hit("p", fairly, true, e(0))], SAME_KIND)).toHaveLength(1);
    expect(query([hit("p", fairly, true, e(0))], 1)).toHaveLength(1);
    expect(query([hit("p", fairly, true, e(0))], SAME_KIND - 0.05)).toHaveLength(0); // the classifier doubts it
    expect(query([hit("p", 1 - NEAR_IN_KIND - 0.05, true, e(0))], 1)).toHaveLength(0); // never beyond the widest
  });

  it("judges closeness for the request itself: near for a request that nothing else is near, not for one near many", () => {
    expect(query([hit("p", 0.5)], 0, e(2))).toHaveLength(1); // e2 is at 0 from every reference
    expect(query([hit("p", 0.5)], 1, e(0))).toHaveLength(0); // e0 is nearer than 0.5 to half of them
  });

  it("without reference requests, the background decides", () => {
    const bare = { background: scale.background };
    const q = (sim: number) => patternsContaining({ members: [hit("p", sim)], request: e(0), taskTypesOf: taught(["math"]), taskProbabilities: { math: 1 }, scale: bare });
    expect(q(0.97)).toHaveLength(1);
    expect(q(0.5)).toHaveLength(0);
  });

  it("a disagreeing outcome nearer than every agreeing member carves the request out", () => {
    const members = [hit("p", 0.975), hit("p", 0.985, false)];
    expect(query(members, 1)).toHaveLength(0);
    const grown = [...members, hit("p", 0.995)];
    const [h] = query(grown, 1);
    expect(h.patternId).toBe("p");
    expect(h.similarity).toBe(0.995);
    expect(h.closerThan).toBe(1);
  });

  it("orders several containing patterns nearest first", () => {
    const hits = query([hit("a", 0.95), hit("b", 0.99)], 1);
    expect(hits.map((h) => h.patternId)).toEqual(["b", "a"]);
  });
});
