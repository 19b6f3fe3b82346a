import { describe, expect, it } from "vitest";
import { taskClassifier } from "../../lib/learning/shipped-task-classifier";
import { loadPrompts, loadProfiles } from "../../bench/routing/data";
import { adaptationDelay, requestOrder, runScenario, successAt, type Drift, type Request, type SimModel } from "../../bench/routing/simulate";

const profiles = loadProfiles();
const base: Request[] = loadPrompts().map((p) => ({
  id: p.id,
  trueType: profiles.benchmark_category_map[p.category!],
  predictedType: taskClassifier().classify(p.prompt).taskType,
}));
const models: SimModel[] = Object.entries(profiles.simulated).map(([model, s]) => ({ model, role: s.role, success: s.success }));
const CODE = ["code_generation", "debugging", "refactoring_optimization"] as const;

describe("routing simulation", () => {
  it("applies a drift only to the drifted role, task types and time", () => {
    const lead = models.find((m) => m.role === "lead_developer")!;
    const drift: Drift = { at: 10, role: "lead_developer", taskTypes: CODE, delta: -0.3 };
    expect(successAt(lead, "code_generation", 9, drift)).toBeCloseTo(0.72);
    expect(successAt(lead, "code_generation", 10, drift)).toBeCloseTo(0.42);
    expect(successAt(lead, "math", 10, drift)).toBeCloseTo(0.45);
  });

  it("replays the same seeded order and differs across seeds", () => {
    const a = requestOrder(base, 2, 1).map((r) => r.id);
    expect(a).toHaveLength(2 * base.length);
    expect(requestOrder(base, 2, 1).map((r) => r.id)).toEqual(a);
    expect(requestOrder(base, 2, 2).map((r) => r.id)).not.toEqual(a);
  });

  it("ranks the strategies: oracle ≥ static, learned ≫ random; the learned policy adapts to a drift and static does not", () => {
    const requests = requestOrder(base, 3, 1);
    const drift: Drift = { at: Math.floor(requests.length / 2), role: "lead_developer", taskTypes: CODE, delta: -0.3 };
    const stationary = runScenario({ requests, models, seed: 1 }).results;
    expect(stationary.oracle.successRate).toBeGreaterThanOrEqual(stationary.static.successRate);
    expect(stationary.learned.successRate).toBeGreaterThan(stationary.random.successRate + 0.15);
    expect(stationary.learned.successRate).toBeGreaterThan(stationary.static.successRate - 0.03);
    expect(stationary.learned.explorationRate).toBeLessThan(0.1);
    expect(stationary.learned.cumulativeRegret).toBeLessThan(0.15 * stationary.random.cumulativeRegret);

    const drifted = runScenario({ requests, models, seed: 1, drift }).results;
    const lead = models.find((m) => m.role === "lead_developer")!.model;
    expect(drifted.learned.successRate).toBeGreaterThan(drifted.static.successRate);
    const delay = adaptationDelay(requests, drifted.learned.choices, drift, lead);
    expect(delay).not.toBeNull();
    // Discount 0.99 (an arm remembers ~100 outcomes) settles exploration once evidence is in,
    // at the price of a slower move after a drop: a few hundred requests of the task type.
    expect(delay!).toBeLessThan(450);
    expect(adaptationDelay(requests, drifted.static.choices, drift, lead)).toBeNull();
  });
});
