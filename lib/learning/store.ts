import "server-only";
import { asSystem, asSystemStatement, getDb, type Queryable } from "@/lib/db";
import { announce, listeningForChanges, onChange, type Change } from "@/lib/db/changes";
import { addFallbackRescues, addModelOutcome, addOutcomes, correctModelOutcome, dropModelOutcome, addParamsOutcome, correctParamsArm, addVoterOutcome, loadPerformance, loadStateRows, type BatchedOutcome, type PerformanceData } from "@/lib/db/queries/learning";
import { isTaskType, type TaskType, currentArmKey } from "@/lib/domain";
import { DEFAULT_VOTER_WEIGHTS, type Vote, type VoterWeights } from "@/lib/learning/ensemble";
import { recordFallbackOutcome, type RescueStats } from "./fallback";
import { paramArmsFor, paramsKey, paramsReward } from "./params";
import { DEFAULT_POLICY_OPTIONS, type PolicyState } from "./policy";
import type { ArmEvidence } from "./evidence";
import type { FallbackStats } from "./fallback";
import type { ParamsState } from "./params";

/**
 * The learning state: routing posteriors, parameter arms, fallback rescue counts and the
 * classifier's voter weights. Kept in the database (model_performance, learning_patterns),
 * where every update is one atomic SQL statement (supabase/migrations/…_atomic_learning_updates),
 * so several app instances on one database lose nothing. Each instance caches the state in
 * memory: the writer takes the row the update returned, every other instance the copy that
 * comes with the change notification, the newest by the row's `rev`; and the whole state is
 * re-read in the background when it is older than REFRESH_MS, in case a notification was missed.
 */
export interface LearningState {
  policy: PolicyState;
  params: ParamsState;
  fallback: FallbackStats;
  voters: VoterWeights;
  performance: Record<string, PerformanceData>; // key `${model}::${taskType}`
}

/** A learning state row as stored (and as announced). */
type StateRow = Extract<Change, { topic: "learning" }>;

const REFRESH_MS = 30_000;
const POLICY_DISCOUNT = DEFAULT_POLICY_OPTIONS.discount;
const PARAMS_DISCOUNT = 0.99;
const VOTER_DISCOUNT = 0.99;

interface Cache {
  state: LearningState;
  revs: Map<string, number>;
  loadedAt: number;
}

const g = globalThis as unknown as { __eliteLearning?: Promise<Cache>; __eliteLearningRefresh?: Promise<void>; __eliteLearningListening?: boolean };

const rowKey = (r: Pick<StateRow, "kind" | "model" | "taskType">) => `${r.kind}:${r.model ?? ""}:${r.taskType ?? ""}`;

/** Puts one row into the state, unless the cache already holds a newer copy of it. */
function applyRow(cache: Cache, row: StateRow): void {
  const data = row.data;
  if (!data) return;
  const rev = Number(data.rev ?? 0);
  const key = rowKey(row);
  if ((cache.revs.get(key) ?? -1) >= rev && rev > 0) return;
  cache.revs.set(key, rev);
  const s = cache.state;
  if (row.kind === "performance" && row.model && row.taskType) {
    s.performance[`${row.model}::${row.taskType}`] = data as PerformanceData;
    const evidence = (data as PerformanceData).evidence;
    if (evidence && isTaskType(row.taskType)) s.policy = { ...s.policy, [row.taskType]: { ...s.policy[row.taskType], [row.model]: evidence } };
  } else if (row.kind === "parameters" && row.model && row.taskType && isTaskType(row.taskType)) {
    // Arm ids written before the one armKey ("t0.2-p1024-c4096") are read in today's form.
    const arms = Object.entries((data.arms ?? {}) as Record<string, ArmEvidence>).map(([id, e]) => [currentArmKey(id), e] as const);
    s.params = { ...s.params, [paramsKey(row.model, row.taskType)]: Object.fromEntries(arms) };
  } else if (row.kind === "fallback" && row.taskType && isTaskType(row.taskType)) {
    s.fallback = { ...s.fallback, [row.taskType]: (data.rescues ?? {}) as Record<string, RescueStats> };
  } else if (row.kind === "classification" && data.weights) {
    s.voters = { ...DEFAULT_VOTER_WEIGHTS, ...(data.weights as VoterWeights) };
  }
}

async function readRows(): Promise<StateRow[]> {
  return asSystem(async (tx) => {
    const rows: StateRow[] = (await loadPerformance(tx)).map((r) => ({
      topic: "learning",
      kind: "performance",
      model: r.model_name,
      taskType: r.task_type,
      data: r.performance_data as Record<string, unknown>,
    }));
    for (const kind of ["parameters", "fallback", "classification"] as const) {
      for (const r of await loadStateRows(tx, kind)) rows.push({ topic: "learning", kind, model: r.model_name, taskType: r.task_type, data: r.pattern_data });
    }
    return rows;
  });
}

async function load(): Promise<Cache> {
  listenForChanges();
  await listeningForChanges(); // from here on no change is missed
  const cache: Cache = { state: { policy: {}, params: {}, fallback: {}, voters: DEFAULT_VOTER_WEIGHTS, performance: {} }, revs: new Map(), loadedAt: Date.now() };
  for (const row of await readRows()) applyRow(cache, row);
  return cache;
}

function listenForChanges(): void {
  if (g.__eliteLearningListening) return;
  g.__eliteLearningListening = true;
  onChange("learning", (row) => {
    if (!g.__eliteLearning) return; // nothing cached yet: the first read loads everything
    void g.__eliteLearning.then((cache) => (row.data ? applyRow(cache, row) : refresh(cache)), () => {});
  });
}

function refresh(cache: Cache): Promise<void> {
  g.__eliteLearningRefresh ??= readRows()
    .then((rows) => {
      for (const row of rows) applyRow(cache, row);
      cache.loadedAt = Date.now();
    })
    .catch((e) => console.error("re-reading the learning state failed", e))
    .finally(() => (g.__eliteLearningRefresh = undefined));
  return g.__eliteLearningRefresh;
}

function cache(): Promise<Cache> {
  g.__eliteLearning ??= load().catch((e) => {
    g.__eliteLearning = undefined;
    throw e;
  });
  return g.__eliteLearning;
}

/** The current state (from memory; re-read in the background when it is getting old). */
export async function learningState(): Promise<LearningState> {
  const c = await cache();
  if (Date.now() - c.loadedAt > REFRESH_MS) void refresh(c);
  return c.state;
}

/** Forgets the cache (tests; after restoring a database). The next read rebuilds it. */
export function resetLearningCache(): void {
  g.__eliteLearning = undefined;
}

/**
 * Runs one atomic update, announces the row it returned, and keeps it in this process's cache.
 * On the embedded database this process is the only one (its data directory is locked), so
 * there is no one else to tell: the update runs alone, one statement, without a transaction
 * holding the single connection between the update and the announcement.
 */
async function update(row: Omit<StateRow, "topic" | "data">, write: (tx: Queryable) => Promise<Record<string, unknown>>): Promise<void> {
  const c = await cache();
  const data =
    (await getDb()).kind === "pglite"
      ? await asSystemStatement(write)
      : await asSystem(async (tx) => {
          const d = await write(tx);
          await announce(tx, { topic: "learning", ...row, data: d });
          return d;
        });
  applyRow(c, { topic: "learning", ...row, data });
}

function checkUnit(name: string, x: number): void {
  if (!(x >= 0 && x <= 1)) throw new Error(`${name} must be in [0, 1], got ${x}`);
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
  checkUnit("reward", o.reward);
  return update({ kind: "performance", model: o.model, taskType: o.taskType }, (tx) =>
    addModelOutcome(tx, {
      model: o.model,
      taskType: o.taskType,
      reward: o.reward,
      discount: POLICY_DISCOUNT,
      now: o.now ?? Date.now(),
      counted: o.countOutcome !== false,
      success: o.success,
      latencyMs: o.responseTimeMs ?? null,
      rating: o.rating ?? null,
    }).then((d) => d as Record<string, unknown>),
  );
}

/**
 * An answer's reward, counted when it finished, changed (a verdict replaced the automatic
 * reward): the routing posterior of (task type, model) moves by the difference instead of
 * counting the answer again.
 */
export function correctOutcome(o: { taskType: TaskType; model: string; from: number; to: number; rating?: number; now?: number }): Promise<void> {
  checkUnit("reward", o.from);
  checkUnit("reward", o.to);
  return update({ kind: "performance", model: o.model, taskType: o.taskType }, (tx) =>
    correctModelOutcome(tx, { model: o.model, taskType: o.taskType, from: o.from, to: o.to, now: o.now ?? Date.now(), rating: o.rating ?? null }).then((d) => d as Record<string, unknown>),
  );
}

/**
 * An answer counted under (task type, model) belongs under another task type (its user says
 * so): its outcome, of reward `reward`, is taken out here (and counted there by the caller).
 */
export function dropOutcome(o: { taskType: TaskType; model: string; reward: number; now?: number }): Promise<void> {
  checkUnit("reward", o.reward);
  return update({ kind: "performance", model: o.model, taskType: o.taskType }, (tx) =>
    dropModelOutcome(tx, { model: o.model, taskType: o.taskType, reward: o.reward, now: o.now ?? Date.now() }).then((d) => d as Record<string, unknown>),
  );
}

/**
 * Outcomes recorded together (editors' completions, in batches), as recordOutcomeBatch
 * writes answers' outcomes: one statement, one atomic update per (model, task type) with its
 * rewards in order (as recordOutcome one by one would leave the row).
 */
export async function recordOutcomes(outcomes: readonly { taskType: TaskType; model: string; reward: number; success: boolean; responseTimeMs?: number }[], now = Date.now()): Promise<void> {
  await recordOutcomeBatch(outcomes.map((o) => batchedOutcome({ kind: "performance", ...o, now })));
}

/**
 * An answer's outcome as the batch keeps it: for the routing posterior, or for the parameter
 * arm it ran with. A `reward` of null is an attempt that was not served (lib/domain/attempt-failure.ts):
 * counted in the model's record (tried, not a success, how long), not in the posterior of its answers.
 */
export type LearnedOutcome =
  | { kind: "performance"; taskType: TaskType; model: string; reward: number | null; success: boolean; responseTimeMs?: number; now: number }
  | { kind: "parameters"; taskType: TaskType; model: string; armId: string; quality: number; normalizedLatency: number; now: number };

/** The outcome as written, checked as recordOutcome and recordParamsOutcome check theirs (throws on a bad one). */
export function batchedOutcome(o: LearnedOutcome): BatchedOutcome {
  if (o.kind === "parameters") return { kind: o.kind, model: o.model, taskType: o.taskType, armId: o.armId, reward: paramsRewardOf(o), now: o.now };
  if (o.reward !== null) checkUnit("reward", o.reward);
  return { kind: o.kind, model: o.model, taskType: o.taskType, reward: o.reward, success: o.success, latencyMs: o.responseTimeMs ?? null, now: o.now };
}

/** A parameter arm's reward for an outcome, once the arm is known to exist for the task type. */
function paramsRewardOf(o: { taskType: TaskType; armId: string; quality: number; normalizedLatency: number }): number {
  if (!paramArmsFor(o.taskType).some((a) => a.id === o.armId)) throw new Error(`unknown parameter arm ${o.armId} for ${o.taskType}`);
  const reward = paramsReward({ quality: o.quality, normalizedLatency: o.normalizedLatency });
  checkUnit("reward", reward);
  return reward;
}

/**
 * Several answers' outcomes in one statement (lib/learning/outcome-batch.ts collects them, as
 * batchedOutcome makes them), each applied in order as recordOutcome or recordParamsOutcome would apply it; every changed
 * row is announced (once, as it ends) and kept in this process's cache.
 */
export async function recordOutcomeBatch(outcomes: readonly BatchedOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  // Rows in one order in every instance (stably: each row's outcomes keep theirs), so two
  // instances' batches never wait on each other's rows in a cycle.
  const order = (o: BatchedOutcome) => `${o.kind}\u0000${o.model}\u0000${o.taskType}`;
  const batch = outcomes.map((o, i) => ({ o, i })).sort((a, b) => (order(a.o) < order(b.o) ? -1 : order(a.o) > order(b.o) ? 1 : a.i - b.i)).map((x) => x.o);
  const c = await cache();
  const write = (tx: Queryable) => addOutcomes(tx, { outcomes: batch, policyDiscount: POLICY_DISCOUNT, paramsDiscount: PARAMS_DISCOUNT });
  const last = new Map<string, StateRow>();
  const keep = (rows: Awaited<ReturnType<typeof write>>) => {
    for (const r of rows) {
      const row: StateRow = { topic: "learning", kind: r.kind, model: r.model, taskType: r.task_type, data: r.d };
      last.set(rowKey(row), row);
    }
  };
  if ((await getDb()).kind === "pglite") keep(await asSystemStatement(write));
  else
    await asSystem(async (tx) => {
      keep(await write(tx));
      for (const row of last.values()) await announce(tx, row);
    });
  for (const row of last.values()) applyRow(c, row);
}

export function recordParamsOutcome(o: { model: string; taskType: TaskType; armId: string; quality: number; normalizedLatency: number; now?: number }): Promise<void> {
  let reward: number;
  try {
    reward = paramsRewardOf(o);
  } catch (e) {
    return Promise.reject(e);
  }
  return update({ kind: "parameters", model: o.model, taskType: o.taskType }, (tx) =>
    addParamsOutcome(tx, { model: o.model, taskType: o.taskType, armId: o.armId, reward, discount: PARAMS_DISCOUNT, now: o.now ?? Date.now() }),
  );
}

/** An answer's reward for the parameter arm it was made with changed (a verdict replaced the automatic quality): the arm moves by the difference. */
export function correctParamsOutcome(o: { model: string; taskType: TaskType; armId: string; from: number; to: number; now?: number }): Promise<void> {
  checkUnit("reward", o.from);
  checkUnit("reward", o.to);
  return update({ kind: "parameters", model: o.model, taskType: o.taskType }, (tx) => correctParamsArm(tx, { ...o, now: o.now ?? Date.now() }));
}

export function recordFallbackTrail(o: { taskType: TaskType; attempts: { model: string; ok: boolean }[] }): Promise<void> {
  if (o.attempts.length < 2) return Promise.resolve();
  // The counts this trail adds (the same rule as recordFallbackOutcome, from zero).
  const delta = recordFallbackOutcome({}, o)[o.taskType] ?? {};
  if (Object.keys(delta).length === 0) return Promise.resolve();
  return update({ kind: "fallback", model: null, taskType: o.taskType }, (tx) => addFallbackRescues(tx, { taskType: o.taskType, delta }));
}

export function recordVoterOutcome(o: { votes: Pick<Vote, "name" | "taskType">[]; outcome: TaskType }): Promise<void> {
  if (o.votes.length === 0) return Promise.resolve();
  // weight' = prior + d · (weight − prior) + agreed = weight · d + ((1 − d) · prior + agreed)
  const delta = Object.fromEntries(
    o.votes.map((v) => {
      const prior = DEFAULT_VOTER_WEIGHTS[v.name];
      const agreed = v.taskType === o.outcome ? 1 : 0;
      return [v.name, { alpha: (1 - VOTER_DISCOUNT) * prior.alpha + agreed, beta: (1 - VOTER_DISCOUNT) * prior.beta + (1 - agreed) }];
    }),
  );
  return update({ kind: "classification", model: null, taskType: null }, (tx) =>
    addVoterOutcome(tx, { prior: DEFAULT_VOTER_WEIGHTS, discount: VOTER_DISCOUNT, delta }),
  );
}
