import "server-only";
import { asSystem } from "@/lib/db";
import { loadPerformance, loadStateRows, savePerformance, saveStateRow, type PerformanceData } from "@/lib/db/queries/learning";
import { isTaskType, type TaskType, currentArmKey } from "@/lib/domain";
import { DEFAULT_VOTER_WEIGHTS, updateVoterWeights, type Vote, type VoterWeights } from "@/lib/learning/ensemble";
import { EMPTY_FALLBACK_STATS, recordFallbackOutcome, type FallbackStats, type RescueStats } from "./fallback";
import { paramsKey, updateParams, type ParamsState } from "./params";
import { DEFAULT_POLICY_OPTIONS, updatePolicy, type PolicyState } from "./policy";
import type { ArmEvidence } from "./evidence";

/**
 * The learning state: routing posteriors, parameter arms, fallback rescue counts and the
 * classifier's voter weights. Kept in the database (model_performance, learning_patterns),
 * cached in memory, rebuilt from the database on start; every update is written through.
 * Updates are serialised in this process so none is lost.
 */
export interface LearningState {
  policy: PolicyState;
  params: ParamsState;
  fallback: FallbackStats;
  voters: VoterWeights;
  performance: Record<string, PerformanceData>; // key `${model}::${taskType}`
}

const g = globalThis as unknown as { __eliteLearning?: Promise<LearningState>; __eliteLearningQueue?: Promise<unknown> };

async function load(): Promise<LearningState> {
  return asSystem(async (tx) => {
    const state: LearningState = { policy: {}, params: {}, fallback: EMPTY_FALLBACK_STATS, voters: DEFAULT_VOTER_WEIGHTS, performance: {} };
    const policy: Record<string, Record<string, ArmEvidence>> = {};
    for (const row of await loadPerformance(tx)) {
      state.performance[`${row.model_name}::${row.task_type}`] = row.performance_data;
      if (row.performance_data.evidence && isTaskType(row.task_type)) {
        (policy[row.task_type] ??= {})[row.model_name] = row.performance_data.evidence;
      }
    }
    state.policy = policy;
    const params: Record<string, Record<string, ArmEvidence>> = {};
    for (const row of await loadStateRows(tx, "parameters")) {
      // Arm ids written before the one armKey ("t0.2-p1024-c4096") are read in today's form.
      const arms = Object.entries(row.pattern_data.arms as Record<string, ArmEvidence>).map(([id, e]) => [currentArmKey(id), e] as const);
      if (row.model_name && isTaskType(row.task_type)) params[paramsKey(row.model_name, row.task_type)] = Object.fromEntries(arms);
    }
    state.params = params;
    const fallback: Record<string, Record<string, RescueStats>> = {};
    for (const row of await loadStateRows(tx, "fallback")) {
      if (isTaskType(row.task_type)) fallback[row.task_type] = row.pattern_data.rescues as Record<string, RescueStats>;
    }
    state.fallback = fallback;
    const voters = (await loadStateRows(tx, "classification"))[0];
    if (voters?.pattern_data.weights) state.voters = voters.pattern_data.weights as VoterWeights;
    return state;
  });
}

export function learningState(): Promise<LearningState> {
  g.__eliteLearning ??= load().catch((e) => {
    g.__eliteLearning = undefined;
    throw e;
  });
  return g.__eliteLearning;
}

/** Forgets the cache (tests; after restoring a database). The next read rebuilds it. */
export function resetLearningCache(): void {
  g.__eliteLearning = undefined;
}

function serialised<T>(fn: (state: LearningState) => Promise<T>): Promise<T> {
  const run = (g.__eliteLearningQueue ?? Promise.resolve()).catch(() => {}).then(async () => fn(await learningState()));
  g.__eliteLearningQueue = run;
  return run;
}

/** One outcome of (task type, model): the routing posterior and the running performance row. */
export function recordOutcome(o: {
  taskType: TaskType;
  model: string;
  reward: number;
  success: boolean;
  responseTimeMs?: number;
  rating?: number;
  countOutcome?: boolean; // false for a later correction of an outcome already counted
  now?: number;
}): Promise<void> {
  return serialised(async (state) => {
    const now = o.now ?? Date.now();
    state.policy = updatePolicy(state.policy, { taskType: o.taskType, model: o.model, reward: o.reward, now }, DEFAULT_POLICY_OPTIONS);
    const key = `${o.model}::${o.taskType}`;
    const prev = state.performance[key] ?? {};
    const counted = o.countOutcome !== false;
    const data: PerformanceData = {
      ...prev,
      evidence: state.policy[o.taskType]![o.model],
      outcomes: (prev.outcomes ?? 0) + (counted ? 1 : 0),
      successes: (prev.successes ?? 0) + (counted && o.success ? 1 : 0),
      latencySum: (prev.latencySum ?? 0) + (o.responseTimeMs ?? 0),
      latencyN: (prev.latencyN ?? 0) + (o.responseTimeMs !== undefined ? 1 : 0),
      ratingSum: (prev.ratingSum ?? 0) + (o.rating ?? 0),
      ratingN: (prev.ratingN ?? 0) + (o.rating !== undefined ? 1 : 0),
    };
    state.performance[key] = data;
    await asSystem((tx) => savePerformance(tx, { model: o.model, taskType: o.taskType, data }));
  });
}

export function recordParamsOutcome(o: { model: string; taskType: TaskType; armId: string; quality: number; normalizedLatency: number; now?: number }): Promise<void> {
  return serialised(async (state) => {
    state.params = updateParams(state.params, { ...o, now: o.now ?? Date.now() });
    const arms = state.params[paramsKey(o.model, o.taskType)];
    await asSystem((tx) => saveStateRow(tx, { kind: "parameters", taskType: o.taskType, model: o.model, data: { arms } }));
  });
}

export function recordFallbackTrail(o: { taskType: TaskType; attempts: { model: string; ok: boolean }[] }): Promise<void> {
  if (o.attempts.length < 2) return Promise.resolve();
  return serialised(async (state) => {
    state.fallback = recordFallbackOutcome(state.fallback, o);
    const rescues = state.fallback[o.taskType] ?? {};
    const totals = Object.values(rescues).reduce((a, r) => ({ s: a.s + r.rescueSuccess, t: a.t + r.rescueTrials }), { s: 0, t: 0 });
    await asSystem((tx) =>
      saveStateRow(tx, { kind: "fallback", taskType: o.taskType, data: { rescues }, successes: totals.s, failures: totals.t - totals.s, confidence: totals.t ? totals.s / totals.t : 0 }),
    );
  });
}

export function recordVoterOutcome(o: { votes: Pick<Vote, "name" | "taskType">[]; outcome: TaskType }): Promise<void> {
  if (o.votes.length === 0) return Promise.resolve();
  return serialised(async (state) => {
    state.voters = updateVoterWeights(state.voters, o);
    await asSystem((tx) => saveStateRow(tx, { kind: "classification", data: { weights: state.voters } }));
  });
}
