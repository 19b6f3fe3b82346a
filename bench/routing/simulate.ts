/**
 * Replays routing requests against simulated models. Each request has a true task type (its
 * benchmark category) and the task type the router predicted from the text; a model answers
 * well with the probability the profiles give for the TRUE type. Every strategy sees the
 * same requests and the same random draw per request (common random numbers), so their
 * differences are not noise from different dice.
 */
import { defaultRole, type ChatTaskType, type Role, type TaskType } from "../../lib/domain";
import { DEFAULT_POLICY_OPTIONS, EMPTY_POLICY, choosePolicy, updatePolicy, type PolicyOptions, type PolicyState } from "../../lib/learning/policy";
import { seededRng, shuffled, type Rng } from "../../lib/learning/random";

export type Request = { id: string; trueType: TaskType; predictedType: TaskType };
export type SimModel = { model: string; role: Role; success: Record<ChatTaskType, number> };
export type Drift = { at: number; role: Role; taskTypes: readonly TaskType[]; delta: number };

export const STRATEGIES = ["static", "learned", "random", "oracle"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export type StrategyResult = {
  successRate: number;
  /** expected regret vs the oracle, summed per window of `window` requests */
  regretPerWindow: number[];
  successPerWindow: number[];
  cumulativeRegret: number;
  explorationRate: number;
  coldLoads: number;
  /** share of requests each model received */
  modelShare: Record<string, number>;
  /** per request: the chosen model (kept for drift analysis, dropped from the JSON) */
  choices: string[];
};

export type ScenarioResult = { n: number; results: Record<Strategy, StrategyResult> };

/** Success probability of a model for a true task type at request i, with drift applied. */
export function successAt(m: SimModel, t: TaskType, i: number, drift?: Drift): number {
  const base = t === "completion" ? 0 : m.success[t]; // the simulated profiles describe chat requests only
  if (drift && i >= drift.at && m.role === drift.role && drift.taskTypes.includes(t)) return Math.max(0, base + drift.delta);
  return base;
}

export function requestOrder<T>(items: readonly T[], passes: number, seed: number): T[] {
  const rng = seededRng(seed);
  return Array.from({ length: passes }, () => shuffled(items, rng)).flat();
}

type Chooser = (req: Request, i: number, loaded: ReadonlySet<string>) => { model: string; explored: boolean };

export function runScenario({
  requests,
  models,
  seed,
  drift,
  window = 500,
  options = DEFAULT_POLICY_OPTIONS,
  loadedSlots = 2,
}: {
  requests: readonly Request[];
  models: readonly SimModel[];
  seed: number;
  drift?: Drift;
  window?: number;
  options?: PolicyOptions;
  /** how many models the simulated host keeps in memory (least recently used is evicted) */
  loadedSlots?: number;
}): ScenarioResult {
  const draws = (() => {
    const r = seededRng(seed * 7919 + 17);
    return requests.map(() => r());
  })();
  const byRole = new Map(models.map((m) => [m.role, m]));
  const p = (model: string, t: TaskType, i: number) => successAt(models.find((m) => m.model === model)!, t, i, drift);
  const oracleModel = (t: TaskType, i: number) => models.reduce((b, m) => (successAt(m, t, i, drift) > successAt(b, t, i, drift) ? m : b)).model;

  let policy: PolicyState = EMPTY_POLICY;
  const policyRng = seededRng(seed * 31 + 1);
  const randomRng: Rng = seededRng(seed * 131 + 2);
  const choosers: Record<Strategy, Chooser> = {
    static: (req) => ({ model: byRole.get(defaultRole(req.predictedType))!.model, explored: false }),
    random: () => ({ model: models[Math.floor(randomRng() * models.length)].model, explored: true }),
    oracle: (req, i) => ({ model: oracleModel(req.trueType, i), explored: false }),
    learned: (req, i, loaded) => {
      const c = choosePolicy({
        taskType: req.predictedType,
        candidates: models.map((m) => ({ model: m.model, role: m.role, loaded: loaded.has(m.model), available: true })),
        state: policy,
        rng: policyRng,
        now: i,
        options,
      })!;
      return { model: c.model, explored: c.explored };
    },
  };

  const results = {} as Record<Strategy, StrategyResult>;
  for (const strategy of STRATEGIES) {
    const lru: string[] = [];
    const choices: string[] = [];
    let successes = 0;
    let explored = 0;
    let coldLoads = 0;
    const regretPerWindow: number[] = [];
    const successPerWindow: number[] = [];
    requests.forEach((req, i) => {
      const { model, explored: ex } = choosers[strategy](req, i, new Set(lru));
      const at = lru.indexOf(model);
      if (at === -1) coldLoads++;
      else lru.splice(at, 1);
      lru.unshift(model);
      if (lru.length > loadedSlots) lru.pop();

      const prob = p(model, req.trueType, i);
      const ok = draws[i] < prob;
      if (strategy === "learned") policy = updatePolicy(policy, { taskType: req.predictedType, model, reward: ok ? 1 : 0, now: i }, options);
      const w = Math.floor(i / window);
      regretPerWindow[w] = (regretPerWindow[w] ?? 0) + (p(oracleModel(req.trueType, i), req.trueType, i) - prob);
      successPerWindow[w] = (successPerWindow[w] ?? 0) + (ok ? 1 : 0);
      successes += ok ? 1 : 0;
      explored += ex ? 1 : 0;
      choices.push(model);
    });
    const modelShare = Object.fromEntries(models.map((m) => [m.model, choices.filter((c) => c === m.model).length / choices.length]));
    results[strategy] = {
      successRate: successes / requests.length,
      regretPerWindow: regretPerWindow.map(round),
      successPerWindow: successPerWindow.map((s, w) => round(s / Math.min(window, requests.length - w * window))),
      cumulativeRegret: round(regretPerWindow.reduce((a, b) => a + b, 0)),
      explorationRate: explored / requests.length,
      coldLoads,
      modelShare,
      choices,
    };
  }
  return { n: requests.length, results };
}

/**
 * After a drift: how many requests of the drifted task types it took until the share routed
 * to the drifted role, over a sliding window, fell below one half (null if it never did).
 */
export function adaptationDelay(
  requests: readonly Request[],
  choices: readonly string[],
  drift: Drift,
  driftedModel: string,
  slide = 50,
): number | null {
  const after = requests
    .map((r, i) => ({ r, i }))
    .filter(({ r, i }) => i >= drift.at && drift.taskTypes.includes(r.predictedType))
    .map(({ i }) => choices[i] === driftedModel);
  for (let k = slide; k <= after.length; k++) {
    const share = after.slice(k - slide, k).filter(Boolean).length / slide;
    if (share < 0.5) return k;
  }
  return null;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
