import { describe, expect, it } from "vitest";
import { choosePolicy, updatePolicy, type PolicyCandidate, type PolicyState } from "../../lib/learning/policy";
import { seededRng } from "../../lib/learning/random";

/**
 * Per-request evidence (the nearest past requests' outcomes) reorders the models the task
 * type's evidence finds plausible; it does not make a model that evidence rules out worth a
 * user's request, unless it makes it the best outright.
 */
describe("per-request evidence and exploration", () => {
  const candidates: PolicyCandidate[] = ["a", "b"].map((model) => ({ model, role: null, loaded: true, available: true }));
  let state: PolicyState = {};
  const outcomes = (model: string, successes: number, failures: number) => {
    for (let i = 0; i < successes + failures; i++) state = updatePolicy(state, { taskType: "debugging", model, reward: i < successes ? 1 : 0, now: 0 });
  };
  outcomes("a", 10, 10);
  outcomes("b", 5, 12);
  const choose = (seed: number, context?: Parameters<typeof choosePolicy>[0]["context"]) =>
    choosePolicy({ taskType: "debugging", candidates, state, context, rng: seededRng(seed), now: 0 })!;

  it("never explores a model the task type's evidence rules out because its neighbours did well", () => {
    const context = { a: { successes: 0, failures: 2 }, b: { successes: 2, failures: 0 } };
    const picks = Array.from({ length: 400 }, (_, seed) => choose(seed, context));
    expect(picks[0].means.b).toBeLessThan(picks[0].means.a); // still not the best here…
    expect(picks[0].means.b).toBeGreaterThan(choose(0).means.b); // …though the neighbours lifted it
    expect(picks.filter((p) => p.model === "b")).toHaveLength(0);
  });

  it("lets the neighbourhood choose among plausible models, and pick the best outright", () => {
    outcomes("b", 3, 0); // b becomes plausible on the task type's evidence
    const without = Array.from({ length: 400 }, (_, seed) => choose(seed)).filter((p) => p.model === "b").length;
    const withNeighbours = Array.from({ length: 400 }, (_, seed) => choose(seed, { b: { successes: 2, failures: 0 } })).filter((p) => p.model === "b").length;
    expect(withNeighbours).toBeGreaterThan(without);
  });
});
