import type { PatternScopeData } from "@/lib/domain/pattern-scope";
import type { Queryable } from "../types";
import { vectorLiteral } from "./vector-literal";

/** model_performance: one row per (model, task type) with the routing evidence and running outcomes. */
export interface PerformanceRow {
  model_name: string;
  task_type: string;
  success_rate: number | null;
  avg_response_time: number | null;
  user_satisfaction: number | null;
  performance_data: PerformanceData;
}

export interface PerformanceData {
  /** Incremented by every update: the newest copy of a row wins in every instance's cache. */
  rev?: number;
  evidence?: { alpha: number; beta: number; updatedAt: number };
  outcomes?: number;
  successes?: number;
  latencySum?: number;
  latencyN?: number;
  ratingSum?: number;
  ratingN?: number;
}

export async function loadPerformance(tx: Queryable): Promise<PerformanceRow[]> {
  const { rows } = await tx.query<PerformanceRow>(
    "select model_name, task_type, success_rate, avg_response_time, user_satisfaction, performance_data from model_performance",
  );
  return rows;
}

/**
 * One outcome of (model, task type), applied atomically in SQL (private.record_model_outcome):
 * the evidence decays and gains the reward, the running counts grow. Returns the row's data.
 */
export async function addModelOutcome(
  tx: Queryable,
  o: { model: string; taskType: string; reward: number; discount: number; now: number; counted: boolean; success: boolean; latencyMs: number | null; rating: number | null },
): Promise<PerformanceData> {
  const { rows } = await tx.query<{ d: PerformanceData }>(
    "select private.record_model_outcome($1, $2, $3, $4, $5, $6, $7, $8, $9) as d",
    [o.model, o.taskType, o.reward, o.discount, o.now, o.counted, o.success, o.latencyMs, o.rating],
  );
  return rows[0].d;
}

/** An answer's counted reward changed from `from` to `to` (a verdict replacing its automatic reward): the evidence moves by the difference (private.correct_model_outcome). */
export async function correctModelOutcome(
  tx: Queryable,
  o: { model: string; taskType: string; from: number; to: number; now: number; rating: number | null },
): Promise<PerformanceData> {
  const { rows } = await tx.query<{ d: PerformanceData }>("select private.correct_model_outcome($1, $2, $3, $4, $5, $6) as d", [o.model, o.taskType, o.from, o.to, o.now, o.rating]);
  return rows[0].d;
}

/** One answer's outcome (reward `reward`) taken out of (model, task type)'s evidence: private.drop_model_outcome. */
export async function dropModelOutcome(tx: Queryable, o: { model: string; taskType: string; reward: number; now: number }): Promise<PerformanceData> {
  const { rows } = await tx.query<{ d: PerformanceData }>("select private.drop_model_outcome($1, $2, $3, $4) as d", [o.model, o.taskType, o.reward, o.now]);
  return rows[0].d;
}

/** A parameter arm's reward for an answer changed from `from` to `to` (a verdict replacing the automatic quality): private.correct_params_outcome. */
export async function correctParamsArm(tx: Queryable, o: { model: string; taskType: string; armId: string; from: number; to: number; now: number }): Promise<Record<string, unknown>> {
  const { rows } = await tx.query<{ d: Record<string, unknown> }>("select private.correct_params_outcome($1, $2, $3, $4, $5, $6) as d", [o.model, o.taskType, o.armId, o.from, o.to, o.now]);
  return rows[0].d;
}

/** One outcome for the routing posterior ("performance") or a parameter arm ("parameters"), as written in a batch. */
export type BatchedOutcome =
  /** reward null: counted (tried, success, latency), not in the evidence (an attempt that was not served) */
  | { kind: "performance"; model: string; taskType: string; reward: number | null; success: boolean; latencyMs: number | null; now: number }
  | { kind: "parameters"; model: string; taskType: string; armId: string; reward: number; now: number };

/**
 * Outcomes of several answers in one statement: each applied in order, atomically, as
 * addModelOutcome or addParamsOutcome would apply it alone. A state row's outcomes go in one
 * call (private.record_model_outcomes and private.record_params_outcomes fold them in order:
 * one row update for many answers, the same state). One row per call, with the data of the
 * state row after it.
 */
export async function addOutcomes(
  tx: Queryable,
  o: { outcomes: readonly BatchedOutcome[]; policyDiscount: number; paramsDiscount: number },
): Promise<{ kind: "performance" | "parameters"; model: string; task_type: string; d: Record<string, unknown> }[]> {
  const { rows } = await tx.query<{ kind: "performance" | "parameters"; model: string; task_type: string; d: Record<string, unknown> }>(
    `select x.kind, x.model, x.task_type,
       case when x.kind = 'performance'
         then private.record_model_outcomes(x.model, x.task_type, x.rewards, $2, x.now, x.outcomes, x.successes, x.latency_sum, x.latency_n, 0, 0)
         else private.record_params_outcomes(x.model, x.task_type, x.arms, x.rewards, $3, x.nows) end as d
     from jsonb_array_elements($1::jsonb) with ordinality as e(v, n),
       lateral jsonb_to_record(e.v) as x(kind text, model text, task_type text, rewards float8[], outcomes integer, successes integer,
         latency_sum float8, latency_n integer, now float8, arms text[], nows float8[])
     order by e.n`,
    [JSON.stringify(outcomeCalls(o.outcomes)), o.policyDiscount, o.paramsDiscount],
  );
  return rows;
}

type PerformanceCall = { kind: "performance"; model: string; task_type: string; rewards: number[]; outcomes: number; successes: number; latency_sum: number; latency_n: number; now: number };
type ParamsCall = { kind: "parameters"; model: string; task_type: string; rewards: number[]; arms: string[]; nows: number[] };

/** The statement's calls: one per state row, in the order the rows first appear, each row's outcomes in theirs. */
function outcomeCalls(outcomes: readonly BatchedOutcome[]): (PerformanceCall | ParamsCall)[] {
  const calls: (PerformanceCall | ParamsCall)[] = [];
  const performance = new Map<string, PerformanceCall>();
  const params = new Map<string, ParamsCall>();
  for (const x of outcomes) {
    const key = `${x.model}\u0000${x.taskType}`;
    if (x.kind === "parameters") {
      let call = params.get(key);
      if (!call) {
        params.set(key, (call = { kind: "parameters", model: x.model, task_type: x.taskType, rewards: [], arms: [], nows: [] }));
        calls.push(call);
      }
      call.rewards.push(x.reward);
      call.arms.push(x.armId);
      call.nows.push(x.now);
      continue;
    }
    let call = performance.get(key);
    if (!call) {
      performance.set(key, (call = { kind: "performance", model: x.model, task_type: x.taskType, rewards: [], outcomes: 0, successes: 0, latency_sum: 0, latency_n: 0, now: x.now }));
      calls.push(call);
    }
    if (x.reward !== null) call.rewards.push(x.reward);
    call.outcomes++;
    if (x.success) call.successes++;
    if (x.latencyMs !== null) (call.latency_sum += x.latencyMs), call.latency_n++;
    // Time only moves the evidence's updatedAt, to the latest outcome's: the same for one call as for many.
    call.now = Math.max(call.now, x.now);
  }
  return calls;
}

export type StateKind = "parameters" | "fallback" | "classification";

export async function loadStateRows(
  tx: Queryable,
  kind: StateKind,
): Promise<{ task_type: string | null; model_name: string | null; pattern_data: Record<string, unknown> }[]> {
  const { rows } = await tx.query<{ task_type: string | null; model_name: string | null; pattern_data: Record<string, unknown> }>(
    "select task_type, model_name, pattern_data from learning_patterns where pattern_type = $1",
    [kind],
  );
  return rows;
}

/** One outcome of a parameter arm, applied atomically. Returns the row's data ({arms, rev}). */
export async function addParamsOutcome(
  tx: Queryable,
  o: { model: string; taskType: string; armId: string; reward: number; discount: number; now: number },
): Promise<Record<string, unknown>> {
  const { rows } = await tx.query<{ d: Record<string, unknown> }>("select private.record_params_outcome($1, $2, $3, $4, $5, $6) as d", [
    o.model,
    o.taskType,
    o.armId,
    o.reward,
    o.discount,
    o.now,
  ]);
  return rows[0].d;
}

/** Rescue counts added to a task type's fallback row, atomically. Returns the row's data ({rescues, rev}). */
export async function addFallbackRescues(
  tx: Queryable,
  o: { taskType: string; delta: Record<string, { rescueSuccess: number; rescueTrials: number }> },
): Promise<Record<string, unknown>> {
  const { rows } = await tx.query<{ d: Record<string, unknown> }>("select private.record_fallback_rescues($1, $2::jsonb) as d", [
    o.taskType,
    JSON.stringify(o.delta),
  ]);
  return rows[0].d;
}

/**
 * The voter weights moved atomically: weight · discount + delta, a missing weight read as its
 * prior. Returns the row's data ({weights, rev}).
 */
export async function addVoterOutcome(
  tx: Queryable,
  o: { prior: Record<string, { alpha: number; beta: number }>; discount: number; delta: Record<string, { alpha: number; beta: number }> },
): Promise<Record<string, unknown>> {
  const { rows } = await tx.query<{ d: Record<string, unknown> }>("select private.record_voter_outcome($1::jsonb, $2, $3::jsonb) as d", [
    JSON.stringify(o.prior),
    o.discount,
    JSON.stringify(o.delta),
  ]);
  return rows[0].d;
}

/** A learned routing pattern: requests like these exemplars should go to model_name. */
export interface RoutingPatternRow {
  id: string;
  task_type: string | null;
  model_name: string;
  success_count: number;
  failure_count: number;
  confidence_score: number;
  status: "active" | "faded" | "retired";
  pattern_data: { exemplars?: string[]; fromModels?: string[]; n?: number } & PatternScopeData;
  similarity: number;
}

export async function nearestRoutingPatterns(
  tx: Queryable,
  { embedding, limit = 3, minSimilarity = 0 }: { embedding: number[]; limit?: number; minSimilarity?: number },
): Promise<RoutingPatternRow[]> {
  const { rows } = await tx.query<RoutingPatternRow>(
    `select * from (
       select id, task_type, model_name, success_count, failure_count, confidence_score, status, pattern_data,
         1 - (embedding <=> $1::extensions.vector) as similarity
       from learning_patterns
       where pattern_type = 'routing' and status = 'active' and embedding is not null
       order by embedding <=> $1::extensions.vector limit $2) p
     where similarity >= $3`,
    [vectorLiteral(embedding), limit, minSimilarity],
  );
  return rows;
}

export async function insertRoutingPattern(
  tx: Queryable,
  p: { taskType: string | null; model: string; embedding: number[]; embeddingModel: string; data: unknown; confidence: number },
): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `insert into learning_patterns (pattern_type, task_type, model_name, embedding, embedding_model, pattern_data,
       success_count, failure_count, confidence_score)
     values ('routing', $1, $2, $3::extensions.vector, $4, $5::jsonb, 1, 0, $6) returning id`,
    [p.taskType, p.model, vectorLiteral(p.embedding), p.embeddingModel, JSON.stringify(p.data), p.confidence],
  );
  return rows[0].id;
}

export async function updateRoutingPattern(
  tx: Queryable,
  p: { id: string; successDelta: number; failureDelta: number; embedding?: number[]; data?: unknown },
): Promise<{ success_count: number; failure_count: number; confidence_score: number; status: string } | null> {
  const { rows } = await tx.query<{ success_count: number; failure_count: number; confidence_score: number; status: string }>(
    `update learning_patterns set
       success_count = success_count + $2,
       failure_count = failure_count + $3,
       confidence_score = (success_count + $2 + 1)::float / (success_count + $2 + failure_count + $3 + 2),
       status = case when failure_count + $3 >= 3
                      and (success_count + $2 + 1)::float / (success_count + $2 + failure_count + $3 + 2) < 0.4
                     then 'faded' else status end,
       embedding = coalesce($4::extensions.vector, embedding),
       pattern_data = case when $5::jsonb is null then pattern_data else $5::jsonb end,
       last_updated = now()
     where id = $1 and pattern_type = 'routing'
     returning success_count, failure_count, confidence_score, status`,
    [p.id, p.successDelta, p.failureDelta, p.embedding ? vectorLiteral(p.embedding) : null, p.data === undefined ? null : JSON.stringify(p.data)],
  );
  return rows[0] ?? null;
}
