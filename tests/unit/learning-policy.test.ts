import { describe, expect, it } from "vitest";
import {
  DEFAULT_POLICY_OPTIONS,
  EMPTY_POLICY,
  choosePolicy,
  policyMeans,
  updatePolicy,
  type PolicyCandidate,
  type PolicyOptions,
  type PolicyState,
} from "../../lib/learning/policy";
import { seededRng, type Rng } from "../../lib/learning/random";
import type { TaskType } from "../../lib/domain";

const all = (loaded = true): PolicyCandidate[] => [
  { model: "deepseek", role: "lead_developer", loaded, available: true },
  { model: "codellama", role: "senior_developer", loaded, available: true },
  { model: "wizard", role: "architect", loaded, available: true },
  { model: "hermes", role: "router", loaded, available: true },
  { model: "mathstral", role: "math", loaded, available: true },
];

type Env = (model: string, step: number) => number;

/** Runs the policy against Bernoulli models; returns the chosen model per step and the final state. */
function simulate({
  taskType = "code_generation",
  steps,
  env,
  seed = 1,
  options = DEFAULT_POLICY_OPTIONS,
  state = EMPTY_POLICY,
}: {
  taskType?: TaskType;
  steps: number;
  env: Env;
  seed?: number;
  options?: PolicyOptions;
  state?: PolicyState;
}) {
  const rng: Rng = seededRng(seed);
  const outcomes = seededRng(seed + 1000);
  const picks: string[] = [];
  const explored: boolean[] = [];
  for (let step = 0; step < steps; step++) {
    const c = choosePolicy({ taskType, candidates: all(), state, rng, now: step, options })!;
    picks.push(c.model);
    explored.push(c.explored);
    const reward = outcomes() < env(c.model, step) ? 1 : 0;
    state = updatePolicy(state, { taskType, model: c.model, reward, now: step }, options);
  }
  return { picks, explored, state };
}

const share = (picks: string[], model: string) => picks.filter((p) => p === model).length / picks.length;

// The benchmark's simulated code-generation skills.
const CODE: Record<string, number> = { deepseek: 0.72, wizard: 0.55, hermes: 0.51, codellama: 0.4, mathstral: 0.4 };

describe("choosePolicy / updatePolicy", () => {
  it("starts from the role priors", () => {
    const means = policyMeans("math", all(), EMPTY_POLICY, 0);
    expect(Object.entries(means).sort((a, b) => b[1] - a[1])[0][0]).toBe("mathstral");
    const c = choosePolicy({ taskType: "architecture", candidates: all(), state: EMPTY_POLICY, rng: seededRng(1), now: 0 });
    expect(c?.greedy).toBe("wizard");
  });

  const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const average = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  it("converges to the best model in a stationary environment", () => {
    // Priors say the senior developer is second for code; the data says the architect is.
    const runs = SEEDS.map((seed) => simulate({ steps: 1500, env: (m) => CODE[m], seed }));
    expect(average(runs.map((r) => share(r.picks.slice(-500), "deepseek")))).toBeGreaterThan(0.9);
    const means = policyMeans("code_generation", all(), runs[0].state, 1500);
    expect(means.deepseek).toBeGreaterThan(0.6);
    expect(means.deepseek).toBeGreaterThan(means.codellama);
  });

  it("usually finds a better model the priors ranked second", () => {
    // Bounded exploration has a price: after an unlucky start an arm can fall more than
    // maxExploreGap behind and stay there; most runs still find it.
    const env: Env = (m) => (m === "codellama" ? 0.85 : CODE[m]);
    const found = SEEDS.filter((seed) => share(simulate({ steps: 1500, env, seed }).picks.slice(-500), "codellama") > 0.5);
    expect(found.length).toBeGreaterThanOrEqual(7);
  });

  it("notices degradation: traffic leaves the best model within 150 updates of a drop", () => {
    const drift = 1000;
    const env: Env = (m, step) => (m === "deepseek" && step >= drift ? CODE[m] - 0.4 : CODE[m]);
    const after = (r: { picks: string[] }) => share(r.picks.slice(drift + 150, drift + 300), "deepseek");
    const discounted = SEEDS.map((seed) => simulate({ steps: drift + 300, env, seed }));
    const undiscounted = SEEDS.map((seed) =>
      simulate({ steps: drift + 300, env, seed, options: { ...DEFAULT_POLICY_OPTIONS, discount: 1 } }),
    );
    expect(average(discounted.map((r) => share(r.picks.slice(drift - 200, drift), "deepseek")))).toBeGreaterThan(0.85);
    expect(average(discounted.map(after))).toBeLessThan(0.25);
    // Change detection, not the slow discount, does it: with no discount at all traffic leaves as fast.
    expect(average(undiscounted.map(after))).toBeLessThan(0.25);
  });

  it("bounds exploration: a clearly worse model is almost never chosen", () => {
    const env: Env = (m) => ({ deepseek: 0.75, wizard: 0.7, hermes: 0.2, codellama: 0.15, mathstral: 0.1 })[m]!;
    const { picks, explored } = simulate({ steps: 2000, env, seed: 7 });
    const tail = picks.slice(500);
    for (const bad of ["hermes", "codellama", "mathstral"]) expect(share(tail, bad)).toBeLessThan(0.02);
    expect(explored.slice(500).filter(Boolean).length / 1500).toBeLessThan(0.5);
  });

  it("explores a model only while it could plausibly be the best: the same gap is explored when uncertain, not once known", () => {
    const two = all().filter((c) => c.model === "deepseek" || c.model === "codellama");
    const picksOfCodellama = (n: number) => {
      let state: PolicyState = EMPTY_POLICY;
      for (let i = 0; i < n; i++) {
        state = updatePolicy(state, { taskType: "debugging", model: "deepseek", reward: i % 5 < 4 ? 1 : 0, now: i }); // 0.8
        state = updatePolicy(state, { taskType: "debugging", model: "codellama", reward: i % 5 < 3 ? 1 : 0, now: i }); // 0.6
      }
      const rng = seededRng(11);
      let picks = 0;
      for (let i = 0; i < 3000; i++) if (choosePolicy({ taskType: "debugging", candidates: two, state, rng, now: n })!.model === "codellama") picks++;
      return picks;
    };
    expect(picksOfCodellama(5)).toBeGreaterThan(100); // a few outcomes: codellama may still be better
    expect(picksOfCodellama(200)).toBe(0); // two hundred: its upper bound is below deepseek's mean
  });

  it("cold-load cost shifts ties toward the loaded model", () => {
    const tie: PolicyCandidate[] = [
      { model: "a", role: "lead_developer", loaded: true, available: true },
      { model: "b", role: "lead_developer", loaded: false, available: true },
    ];
    const count = (options: PolicyOptions) => {
      const rng = seededRng(13);
      let loaded = 0;
      for (let i = 0; i < 4000; i++) if (choosePolicy({ taskType: "debugging", candidates: tie, state: EMPTY_POLICY, rng, now: 0, options })!.model === "a") loaded++;
      return loaded / 4000;
    };
    expect(Math.abs(count({ ...DEFAULT_POLICY_OPTIONS, coldLoadCost: 0 }) - 0.5)).toBeLessThan(0.03);
    expect(count(DEFAULT_POLICY_OPTIONS)).toBeGreaterThan(0.55);
    expect(choosePolicy({ taskType: "debugging", candidates: tie, state: EMPTY_POLICY, rng: seededRng(1), now: 0 })!.greedy).toBe("a");
  });

  it("cold-load cost decides between two well-known equal models", () => {
    let state: PolicyState = EMPTY_POLICY;
    for (let i = 0; i < 500; i++)
      for (const model of ["a", "b"]) state = updatePolicy(state, { taskType: "debugging", model, reward: i % 10 < 7 ? 1 : 0, now: i }, { discount: 1 });
    const tie: PolicyCandidate[] = [
      { model: "a", role: "lead_developer", loaded: false, available: true },
      { model: "b", role: "lead_developer", loaded: true, available: true },
    ];
    const rng = seededRng(17);
    let loaded = 0;
    for (let i = 0; i < 2000; i++) if (choosePolicy({ taskType: "debugging", candidates: tie, state, rng, now: 500 })!.model === "b") loaded++;
    expect(loaded / 2000).toBeGreaterThan(0.85);
  });

  it("weighs a model's failure risk: it delivers (1 − risk) of its quality, and the drawn arms carry that cost", () => {
    let state: PolicyState = EMPTY_POLICY;
    for (let i = 0; i < 500; i++)
      for (const model of ["a", "b"]) state = updatePolicy(state, { taskType: "debugging", model, reward: i % 10 < 7 ? 1 : 0, now: i }, { discount: 1 });
    const pair = (riskOfA: number): PolicyCandidate[] => [
      { model: "a", role: "lead_developer", loaded: true, available: true, failureRisk: riskOfA },
      { model: "b", role: "lead_developer", loaded: true, available: true, failureRisk: 0.03 },
    ];
    const shareOfA = (riskOfA: number) => {
      const rng = seededRng(19);
      let a = 0;
      for (let i = 0; i < 2000; i++) if (choosePolicy({ taskType: "debugging", candidates: pair(riskOfA), state, rng, now: 500 })!.model === "a") a++;
      return a / 2000;
    };
    // Equal risks: a coin toss between equal models; a model failing a third of the time: hardly ever first.
    expect(Math.abs(shareOfA(0.03) - 0.5)).toBeLessThan(0.05);
    expect(shareOfA(0.3)).toBeLessThan(0.02);
    const choice = choosePolicy({ taskType: "debugging", candidates: pair(0.3), state, rng: seededRng(1), now: 500 })!;
    expect(choice.greedy).toBe("b");
    const armA = choice.arms.find((x) => x.model === "a")!;
    expect(armA.cost).toBeCloseTo(0.3 * choice.means.a, 10);
  });

  it("skips unavailable models and returns null when none is available", () => {
    const c = all().map((x) => ({ ...x, available: x.model === "codellama" }));
    expect(choosePolicy({ taskType: "code_generation", candidates: c, state: EMPTY_POLICY, rng: seededRng(1), now: 0 })!.model).toBe("codellama");
    const none = all().map((x) => ({ ...x, available: false }));
    expect(choosePolicy({ taskType: "code_generation", candidates: none, state: EMPTY_POLICY, rng: seededRng(1), now: 0 })).toBeNull();
  });

  it("is deterministic for a seed", () => {
    const env: Env = (m) => CODE[m];
    expect(simulate({ steps: 300, env, seed: 21 }).picks).toEqual(simulate({ steps: 300, env, seed: 21 }).picks);
    expect(simulate({ steps: 300, env, seed: 21 }).picks).not.toEqual(simulate({ steps: 300, env, seed: 22 }).picks);
  });

  it("updates immutably and decays old evidence", () => {
    const s1 = updatePolicy(EMPTY_POLICY, { taskType: "math", model: "mathstral", reward: 1, now: 5 });
    const s2 = updatePolicy(s1, { taskType: "math", model: "mathstral", reward: 0, now: 6 }, { discount: 0.5 });
    expect(EMPTY_POLICY).toEqual({});
    expect(s1.math!.mathstral).toEqual({ alpha: 1, beta: 0, updatedAt: 5, recent: { alpha: 1, beta: 0 } });
    expect(s2.math!.mathstral).toMatchObject({ alpha: 0.5, beta: 1, updatedAt: 6 });
    expect(() => updatePolicy(s1, { taskType: "math", model: "x", reward: 2, now: 0 })).toThrow();
  });

  it("lets evidence fade with time when a half-life is set", () => {
    let state: PolicyState = EMPTY_POLICY;
    for (let i = 0; i < 30; i++) state = updatePolicy(state, { taskType: "general", model: "hermes", reward: 0, now: 0 });
    const fresh = policyMeans("general", all(), state, 0, 1000).hermes;
    const old = policyMeans("general", all(), state, 10_000, 1000).hermes;
    expect(fresh).toBeLessThan(0.2);
    expect(old).toBeGreaterThan(0.6); // back near the router's prior of 0.7
  });
});
