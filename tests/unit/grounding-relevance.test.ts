import { describe, expect, it } from "vitest";
import { closenessToChunk, judgeChunk, UNRELATED_NEARER } from "../../lib/orchestrator/grounding-relevance";

/** A unit vector whose cosine with e0 is c, turned towards axis k (k ≥ 1). */
const at = (c: number, k = 1, dim = 64) => {
  const v = new Array<number>(dim).fill(0);
  v[0] = c;
  v[k] = Math.sqrt(1 - c * c);
  return v;
};
/** Reference requests whose cosines with a chunk along e0 are `cs`, each turned its own way. */
const references = (cs: number[]) => cs.map((c, i) => at(c, i + 1));
const chunk = at(1, 1); // e0

describe("grounding relevance: a chunk is judged against the embedding model's own background", () => {
  it("grounds a request nearer the chunk than almost every unrelated request, whatever the model's baseline", () => {
    // A model whose unrelated requests come to ~0.1 of the chunk, and one whose come to ~0.5 (nomic-like).
    const low = references(Array.from({ length: 40 }, (_, i) => 0.05 + i * 0.003));
    const high = references(Array.from({ length: 40 }, (_, i) => 0.45 + i * 0.003));
    const request = { similarity: 0.4, textRank: null, embedding: chunk };
    expect(judgeChunk(request, low, 0.3).grounds).toBe(true); // unusually near for the first model…
    expect(judgeChunk(request, high, 0.3).grounds).toBe(false); // …nearer than none of the second's unrelated requests
    expect(judgeChunk({ ...request, similarity: 0.6 }, high, 0.3).grounds).toBe(true);
  });

  it("lets at most the allowed share of unrelated requests come nearer", () => {
    const refs = references(Array.from({ length: 100 }, (_, i) => i / 100)); // 0 … 0.99
    const cut = 1 - UNRELATED_NEARER; // 0.95: nearer than 95 of them
    expect(judgeChunk({ similarity: cut + 0.005, textRank: null, embedding: chunk }, refs, 0.3).grounds).toBe(true);
    expect(judgeChunk({ similarity: cut - 0.02, textRank: null, embedding: chunk }, refs, 0.3).grounds).toBe(false);
    expect(closenessToChunk({ similarity: 0.505, textRank: null, embedding: chunk }, refs)).toBeCloseTo(0.51, 5);
  });

  it("asks less of a strong full-text match, but not nothing", () => {
    const refs = references(Array.from({ length: 100 }, (_, i) => i / 100));
    const named = { similarity: 0.85, textRank: 0.5, embedding: chunk };
    expect(judgeChunk(named, refs, 0.3).grounds).toBe(true);
    expect(judgeChunk({ ...named, textRank: 0.2 }, refs, 0.3).grounds).toBe(false); // a weak match is no help
    expect(judgeChunk({ ...named, similarity: 0.5 }, refs, 0.3).grounds).toBe(false); // the words in another sense
  });

  it("grounds nothing it cannot judge: no similarity, no chunk embedding, no references", () => {
    const refs = references([0.1, 0.2]);
    expect(judgeChunk({ similarity: null, textRank: 0.9, embedding: chunk }, refs, 0.3).grounds).toBe(false);
    expect(judgeChunk({ similarity: 0.9, textRank: 0.9 }, refs, 0.3).grounds).toBe(false);
    expect(judgeChunk({ similarity: 0.9, textRank: 0.9, embedding: chunk }, [], 0.3).grounds).toBe(false);
  });
});

describe("closeness in words", () => {
  it("says the share of unrelated requests the request is nearer than, and 'any' at the top", async () => {
    const { describeCloseness } = await import("../../lib/knowledge/views");
    expect(describeCloseness(0.974)).toBe("nearer than 97% of unrelated requests");
    expect(describeCloseness(1)).toBe("nearer than any unrelated request");
    expect(describeCloseness(0)).toBe("nearer than 0% of unrelated requests");
  });
});
