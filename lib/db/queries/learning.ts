import type { PatternScopeData } from "@/lib/domain/pattern-scope";
import type { Queryable } from "../types";

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

export async function savePerformance(tx: Queryable, row: { model: string; taskType: string; data: PerformanceData }): Promise<void> {
  const d = row.data;
  const rate = d.outcomes ? (d.successes ?? 0) / d.outcomes : null;
  const latency = d.latencyN ? (d.latencySum ?? 0) / d.latencyN : null;
  const satisfaction = d.ratingN ? (d.ratingSum ?? 0) / d.ratingN : null;
  await tx.query(
    `insert into model_performance (model_name, task_type, success_rate, avg_response_time, user_satisfaction, performance_data, last_updated)
     values ($1, $2, $3, $4, $5, $6::jsonb, now())
     on conflict (model_name, task_type) do update set success_rate = excluded.success_rate,
       avg_response_time = excluded.avg_response_time, user_satisfaction = excluded.user_satisfaction,
       performance_data = excluded.performance_data, last_updated = now()`,
    [row.model, row.taskType, rate, latency, satisfaction, JSON.stringify(d)],
  );
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

export async function saveStateRow(
  tx: Queryable,
  row: { kind: StateKind; taskType?: string | null; model?: string | null; data: unknown; successes?: number; failures?: number; confidence?: number },
): Promise<void> {
  await tx.query(
    `insert into learning_patterns (pattern_type, task_type, model_name, pattern_data, success_count, failure_count, confidence_score, last_updated)
     values ($1, $2, $3, $4::jsonb, $5, $6, $7, now())
     on conflict (pattern_type, coalesce(task_type, ''), coalesce(model_name, ''))
       where pattern_type in ('parameters', 'fallback', 'classification')
     do update set pattern_data = excluded.pattern_data, success_count = excluded.success_count,
       failure_count = excluded.failure_count, confidence_score = excluded.confidence_score, last_updated = now()`,
    [row.kind, row.taskType ?? null, row.model ?? null, JSON.stringify(row.data), row.successes ?? 0, row.failures ?? 0, row.confidence ?? 0],
  );
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
    [`[${embedding.join(",")}]`, limit, minSimilarity],
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
    [p.taskType, p.model, `[${p.embedding.join(",")}]`, p.embeddingModel, JSON.stringify(p.data), p.confidence],
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
    [p.id, p.successDelta, p.failureDelta, p.embedding ? `[${p.embedding.join(",")}]` : null, p.data === undefined ? null : JSON.stringify(p.data)],
  );
  return rows[0] ?? null;
}
