import { describe, expect, it } from "vitest";
import { contextEvidence, CONTEXT_STRENGTH } from "../../lib/learning/context-evidence";
import { choosePolicy, EMPTY_POLICY, type PolicyCandidate } from "../../lib/learning/policy";
import { seededRng } from "../../lib/learning/random";

describe("contextual evidence from the nearest past requests", () => {
  it("counts neighbours by how far they stand above the neighbourhood's median similarity, whatever the scale", () => {
    const near = (shift: number) => [
      { model: "a", reward: 1, similarity: 0.9 + shift },
      { model: "a", reward: 1, similarity: 0.88 + shift },
      { model: "b", reward: 0, similarity: 0.87 + shift },
      { model: "b", reward: 1, similarity: 0.5 + shift },
      { model: "c", reward: 1, similarity: 0.4 + shift },
    ];
    const high = contextEvidence(near(0.05));
    const low = contextEvidence(near(-0.3)); // another embedding model, lower similarities all round
    expect(high.a.successes).toBeGreaterThan(0);
    expect(high.c).toBeUndefined(); // below the median: no weight
    expect(low.a.successes).toBeGreaterThan(0);
    expect(low.c).toBeUndefined();
    expect(Object.keys(high).sort()).toEqual(Object.keys(low).sort());
  });

  it("never carries more than its strength, and nothing from too few neighbours", () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ model: "a", reward: 1, similarity: 0.5 + i / 100 }));
    const e = contextEvidence(many);
    expect(e.a.successes + e.a.failures).toBeCloseTo(CONTEXT_STRENGTH, 9);
    expect(contextEvidence(many.slice(0, 2))).toEqual({});
  });

  it("lets two requests of one task type go to different models when their neighbours say so", () => {
    const candidates: PolicyCandidate[] = [
      { model: "x", role: "lead_developer", loaded: true, available: true },
      { model: "y", role: "senior_developer", loaded: true, available: true },
    ];
    const pick = (ctx: ReturnType<typeof contextEvidence>) => choosePolicy({ taskType: "debugging", candidates, state: EMPTY_POLICY, context: ctx, rng: seededRng(3), now: 0 })!.greedy;
    const likes = (model: string) =>
      contextEvidence([
        ...Array.from({ length: 6 }, (_, i) => ({ model, reward: 1, similarity: 0.95 - i / 100 })),
        ...Array.from({ length: 6 }, (_, i) => ({ model: model === "x" ? "y" : "x", reward: 0, similarity: 0.94 - i / 100 })),
        ...Array.from({ length: 12 }, (_, i) => ({ model: "x", reward: 0.5, similarity: 0.3 + i / 100 })),
      ]);
    expect(pick({})).toBe("x"); // the role prior: the lead developer
    expect(pick(likes("y"))).toBe("y");
    expect(pick(likes("x"))).toBe("x");
  });
});
