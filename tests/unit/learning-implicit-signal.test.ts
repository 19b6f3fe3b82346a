import { describe, expect, it } from "vitest";
import { IMPLICIT_REWARD } from "../../lib/domain/reward";
import { readFollowUp, REPHRASE } from "../../lib/learning/implicit-signal";
import { SURE } from "../../lib/learning/linear-text-classifier";
import { classifyFollowUp, FOLLOW_UP_LABELS } from "../../lib/learning/follow-up-classifier";
import { verdictPart } from "../../lib/learning/verdict-part";

const scale = { background: Float64Array.from({ length: 1000 }, (_, i) => i / 1000) };
const read = (text: string, o: { classified?: Record<"failed" | "thanks" | "rephrase" | "neutral", number>; toPrevious?: number; toExamples?: { failed: number; thanks: number } } = {}) =>
  readFollowUp({ text, classify: o.classified ? () => o.classified! : null, toPrevious: o.toPrevious ?? null, toExamples: o.toExamples ?? null, examples: 8, scale });

describe("reading a follow-up", () => {
  it("telling phrases say failed, thanks or a rephrase; mixed messages and new questions say nothing", () => {
    expect(read("still getting the same error")).toBe("failed");
    expect(read("cheers, works now")).toBe("thanks");
    expect(read("no, I meant the server side, not the client")).toBe("rephrase");
    expect(read("thanks, it still fails on Windows")).toBeNull();
    expect(read("how would I deploy this?")).toBeNull();
  });

  it("by meaning: closer to an example than chance reaches across all examples; or a repeat of the previous request", () => {
    expect(read("the build is red again", { toExamples: { failed: 0.9995, thanks: 0.2 } })).toBe("failed");
    expect(read("the build is red again", { toExamples: { failed: 0.97, thanks: 0.2 } })).toBeNull(); // common closeness, 8 examples
    expect(read("merging sorted arrays in C", { toPrevious: REPHRASE + 0.005 })).toBe("rephrase");
    expect(read("merging sorted arrays in C", { toPrevious: REPHRASE - 0.05 })).toBeNull();
  });

  it("the follow-up classifier decides when it is sure, after the telling phrases", () => {
    const p = (failed: number, thanks: number, rephrase: number) => ({ failed, thanks, rephrase, neutral: 1 - failed - thanks - rephrase });
    expect(read("the totals come out doubled", { classified: p(SURE + 0.05, 0.1, 0.05) })).toBe("failed");
    expect(read("the totals come out doubled", { classified: p(SURE - 0.05, 0.1, 0.05) })).toBeNull();
    expect(read("only with the standard library", { classified: p(0.1, 0.05, SURE + 0.1) })).toBe("rephrase");
    // A mixed message with no turn between its parts stays unread whatever the classifier thinks.
    expect(read("thanks, it still fails on Windows", { classified: p(0.05, 0.9, 0.0) })).toBeNull();
  });

  it("reads a message that turns by what follows the turn: the thanks before a 'but' is politeness", () => {
    expect(read("thanks, but it still fails on Windows")).toBe("failed");
    expect(read("perfect, except it crashes on empty input", { classified: { failed: 0.9, thanks: 0.05, rephrase: 0, neutral: 0.05 } })).toBe("failed");
    expect(read("it was slow at first, but it works now")).toBe("thanks");
    // With the shipped classifier (read whole, "perfect" made it thanks):
    expect(readFollowUp({ text: "perfect, except the output is wrong", classify: classifyFollowUp, toPrevious: null, toExamples: null, examples: 0, scale: null })).toBe("failed");
    expect(verdictPart("good answer but")).toBe("good answer but"); // nothing after the turn: the whole
  });

  it("the shipped follow-up classifier reads messages it was not trained on", () => {
    const top = (text: string) => {
      const probabilities = classifyFollowUp(text);
      expect(Object.keys(probabilities)).toEqual([...FOLLOW_UP_LABELS]);
      expect(Object.values(probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
      return Object.entries(probabilities).sort((a, b) => b[1] - a[1])[0][0];
    };
    expect(top("nope, it still crashes with the same stack trace after your change")).toBe("failed");
    expect(top("awesome, that works perfectly now, thank you!")).toBe("thanks");
    expect(top("how do I add a footer to every page?")).toBe("neutral");
  });

  it("implicit rewards are weaker than explicit ones: never 0 or 1, poor below a half, thanks above", () => {
    for (const r of Object.values(IMPLICIT_REWARD)) expect(r > 0 && r < 1).toBe(true);
    expect(IMPLICIT_REWARD.failed).toBeLessThan(0.5);
    expect(IMPLICIT_REWARD.rephrase).toBeLessThan(0.5);
    expect(IMPLICIT_REWARD.thanks).toBeGreaterThan(0.5);
  });
});
