import { describe, expect, it } from "vitest";
import { IMPLICIT_REWARD, readFollowUp, REPHRASE } from "../../lib/learning/implicit-signal";

const scale = { background: Float64Array.from({ length: 1000 }, (_, i) => i / 1000) };
const read = (text: string, o: { toPrevious?: number; toExamples?: { failed: number; thanks: number } } = {}) =>
  readFollowUp({ text, toPrevious: o.toPrevious ?? null, toExamples: o.toExamples ?? null, examples: 8, scale });

describe("reading a follow-up", () => {
  it("telling phrases say failed, thanks or a rephrase; mixed messages and new questions say nothing", () => {
    expect(read("still getting the same error")).toBe("failed");
    expect(read("cheers, works now")).toBe("thanks");
    expect(read("no, I meant the server side, not the client")).toBe("rephrase");
    expect(read("thanks, but it still fails on Windows")).toBeNull();
    expect(read("how would I deploy this?")).toBeNull();
  });

  it("by meaning: closer to an example than chance reaches across all examples; or a repeat of the previous request", () => {
    expect(read("the build is red again", { toExamples: { failed: 0.9995, thanks: 0.2 } })).toBe("failed");
    expect(read("the build is red again", { toExamples: { failed: 0.97, thanks: 0.2 } })).toBeNull(); // common closeness, 8 examples
    expect(read("merging sorted arrays in C", { toPrevious: REPHRASE + 0.005 })).toBe("rephrase");
    expect(read("merging sorted arrays in C", { toPrevious: REPHRASE - 0.05 })).toBeNull();
  });

  it("implicit rewards are weaker than explicit ones: never 0 or 1, poor below a half, thanks above", () => {
    for (const r of Object.values(IMPLICIT_REWARD)) expect(r > 0 && r < 1).toBe(true);
    expect(IMPLICIT_REWARD.failed).toBeLessThan(0.5);
    expect(IMPLICIT_REWARD.rephrase).toBeLessThan(0.5);
    expect(IMPLICIT_REWARD.thanks).toBeGreaterThan(0.5);
  });
});
