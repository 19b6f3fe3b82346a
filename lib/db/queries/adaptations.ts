import type { Queryable } from "../types";
import type { OutcomeRow } from "@/lib/domain/reward";
import { readDecision, type StoredDecision } from "@/lib/domain/decision";

/** Proposals (adaptations), experiments and what the Learning Director reads. */
export type AdaptationStatus = "proposed" | "approved" | "rejected" | "testing" | "promoted" | "rolled_back" | "superseded";

export interface AdaptationRow {
  id: string;
  kind: "routing_rule" | "system_prompt" | "fallback_order" | "parameters" | "knowledge_entry";
  status: AdaptationStatus;
  title: string;
  description: string;
  model_name: string | null;
  task_type: string | null;
  proposed_change: Record<string, unknown>;
  evidence: Record<string, unknown>;
  expected_effect: Record<string, unknown>;
  risk: "low" | "medium" | "high";
  fingerprint: string;
  base_version_id: string | null;
  result_version_id: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  created_at: Date;
}

const A_COLUMNS = `id, kind, status, title, description, model_name, task_type, proposed_change, evidence, expected_effect, risk,
  fingerprint, base_version_id, result_version_id, decided_by, decided_at, decision_reason, created_at`;

export async function insertAdaptation(
  tx: Queryable,
  a: Pick<AdaptationRow, "kind" | "title" | "description" | "model_name" | "task_type" | "proposed_change" | "evidence" | "expected_effect" | "risk" | "fingerprint" | "base_version_id">,
): Promise<AdaptationRow> {
  const { rows } = await tx.query<AdaptationRow>(
    `insert into adaptations (kind, title, description, model_name, task_type, proposed_change, evidence, expected_effect, risk, fingerprint, base_version_id)
     values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10, $11) returning ${A_COLUMNS}`,
    [a.kind, a.title.slice(0, 300), a.description, a.model_name, a.task_type, JSON.stringify(a.proposed_change), JSON.stringify(a.evidence), JSON.stringify(a.expected_effect), a.risk, a.fingerprint, a.base_version_id],
  );
  return rows[0];
}

export async function listAdaptations(tx: Queryable, { limit = 200 }: { limit?: number } = {}): Promise<AdaptationRow[]> {
  const { rows } = await tx.query<AdaptationRow>(`select ${A_COLUMNS} from adaptations order by created_at desc limit $1`, [limit]);
  return rows;
}

export async function getAdaptation(tx: Queryable, { id }: { id: string }): Promise<AdaptationRow | null> {
  const { rows } = await tx.query<AdaptationRow>(`select ${A_COLUMNS} from adaptations where id = $1`, [id]);
  return rows[0] ?? null;
}

export async function adaptationsByFingerprint(tx: Queryable, { fingerprint }: { fingerprint: string }): Promise<AdaptationRow[]> {
  const { rows } = await tx.query<AdaptationRow>(`select ${A_COLUMNS} from adaptations where fingerprint = $1 order by created_at desc`, [fingerprint]);
  return rows;
}

export async function decideAdaptation(
  tx: Queryable,
  d: { id: string; status: AdaptationStatus; by: string; reason?: string | null; resultVersionId?: string | null; from?: AdaptationStatus[] },
): Promise<AdaptationRow | null> {
  const { rows } = await tx.query<AdaptationRow>(
    `update adaptations set status = $2, decided_by = $3, decided_at = now(), decision_reason = coalesce($4, decision_reason),
       result_version_id = coalesce($5, result_version_id)
     where id = $1 and ($6::text[] is null or status = any($6::text[])) returning ${A_COLUMNS}`,
    [d.id, d.status, d.by, d.reason ?? null, d.resultVersionId ?? null, d.from ?? null],
  );
  return rows[0] ?? null;
}

/** Adaptations applied by versions newer than a version (they are undone by a rollback to it). */
export async function adaptationsAppliedAfter(tx: Queryable, { version }: { version: number }): Promise<AdaptationRow[]> {
  const { rows } = await tx.query<AdaptationRow>(
    `select ${A_COLUMNS.split(",").map((c) => `a.${c.trim()}`).join(", ")} from adaptations a join config_versions v on v.id = a.result_version_id
     where v.version > $1 and a.status in ('approved', 'promoted')`,
    [version],
  );
  return rows;
}

export interface ExperimentRow {
  id: string;
  adaptation_id: string | null;
  control_version_id: string;
  variant_version_id: string;
  status: "running" | "promoted" | "stopped" | "rolled_back";
  traffic_split: number;
  min_samples: number;
  max_duration_ms: number;
  guardrails: Record<string, unknown>;
  stats: Record<string, unknown>;
  end_reason: string | null;
  started_by: string | null;
  started_at: Date;
  ended_at: Date | null;
}

const E_COLUMNS = `id, adaptation_id, control_version_id, variant_version_id, status, traffic_split, min_samples,
  (extract(epoch from max_duration) * 1000)::float8 as max_duration_ms, guardrails, stats, end_reason, started_by, started_at, ended_at`;

export async function insertExperiment(
  tx: Queryable,
  e: { adaptationId: string | null; controlVersionId: string; variantVersionId: string; trafficSplit: number; minSamples: number; maxDurationHours: number; guardrails: unknown; stats: unknown; startedBy: string },
): Promise<ExperimentRow> {
  const { rows } = await tx.query<ExperimentRow>(
    `insert into experiments (adaptation_id, control_version_id, variant_version_id, traffic_split, min_samples, max_duration, guardrails, stats, started_by)
     values ($1, $2, $3, $4, $5, make_interval(hours => $6::int), $7::jsonb, $8::jsonb, $9) returning ${E_COLUMNS}`,
    [e.adaptationId, e.controlVersionId, e.variantVersionId, e.trafficSplit, e.minSamples, Math.round(e.maxDurationHours), JSON.stringify(e.guardrails), JSON.stringify(e.stats), e.startedBy],
  );
  return rows[0];
}

export async function listExperiments(tx: Queryable, { status, limit = 50 }: { status?: ExperimentRow["status"]; limit?: number } = {}): Promise<ExperimentRow[]> {
  const { rows } = await tx.query<ExperimentRow>(
    `select ${E_COLUMNS} from experiments where ($1::text is null or status = $1) order by started_at desc limit $2`,
    [status ?? null, limit],
  );
  return rows;
}

export async function getExperiment(tx: Queryable, { id }: { id: string }): Promise<ExperimentRow | null> {
  const { rows } = await tx.query<ExperimentRow>(`select ${E_COLUMNS} from experiments where id = $1`, [id]);
  return rows[0] ?? null;
}

export async function updateExperiment(
  tx: Queryable,
  e: { id: string; stats: unknown; status?: ExperimentRow["status"]; endReason?: string | null },
): Promise<ExperimentRow | null> {
  const { rows } = await tx.query<ExperimentRow>(
    `update experiments set stats = $2::jsonb, status = coalesce($3, status), end_reason = coalesce($4, end_reason),
       ended_at = case when $3::text is not null and $3 <> 'running' then now() else ended_at end
     where id = $1 and status = 'running' returning ${E_COLUMNS}`,
    [e.id, JSON.stringify(e.stats), e.status ?? null, e.endReason ?? null],
  );
  return rows[0] ?? null;
}

/** The outcomes of an experiment's interactions per arm. */
/**
 * An experiment's outcomes, one per conversation (the unit its arms are assigned to): the
 * conversation's first finished interaction. Only the server writes interactions (users
 * cannot insert or change them), so only what the server recorded counts.
 */
export async function experimentOutcomes(
  tx: Queryable,
  { experimentId }: { experimentId: string },
): Promise<(OutcomeRow & { experiment_arm: "control" | "variant"; user_id: string })[]> {
  const { rows } = await tx.query<OutcomeRow & { experiment_arm: "control" | "variant"; user_id: string }>(
    `select * from (
       select distinct on (conversation_id) experiment_arm, user_id, status, success_rating, feedback, response_time, created_at from interactions
        where experiment_id = $1 and experiment_arm is not null and status in ('completed', 'failed') and not client_task
        order by conversation_id, created_at, id) c
      order by created_at`,
    [experimentId],
  );
  return rows;
}

/** What the Learning Director analyses: finished interactions in a time window (a client's housekeeping aside, lib/domain/client-task.ts). */
export interface AnalysisRow extends OutcomeRow {
  id: string;
  created_at: Date;
  /** when the answer last received feedback (null: never) */
  feedback_at: Date | null;
  user_id: string;
  task_type: string | null;
  model_used: string | null;
  routing_decision: StoredDecision;
  config_version_id: string | null;
  experiment_id: string | null;
}

const ANALYSIS_COLUMNS = `id, created_at, feedback_at, user_id, status, task_type, model_used, routing_decision, success_rating, feedback, response_time, config_version_id, experiment_id`;

/** Answers created, or given feedback, since the last run (late feedback on an old answer counts). */
export async function interactionsForAnalysis(tx: Queryable, { since, limit = 20000 }: { since: Date | null; limit?: number }): Promise<AnalysisRow[]> {
  const { rows } = await tx.query<AnalysisRow>(
    `select ${ANALYSIS_COLUMNS}
     from interactions where status in ('completed', 'failed') and not client_task and ($1::timestamptz is null or created_at > $1 or feedback_at > $1)
     order by created_at limit $2`,
    [since, limit],
  );
  return rows.map((r) => ({ ...r, routing_decision: readDecision(r.routing_decision) }));
}

/** Answers with feedback given since `since` (the window feedback themes are read over; rows loaded in bulk, without the trigger, count from their creation). */
export async function feedbackForThemes(tx: Queryable, { since, limit = 5000 }: { since: Date; limit?: number }): Promise<AnalysisRow[]> {
  const { rows } = await tx.query<AnalysisRow>(
    `select ${ANALYSIS_COLUMNS}
     from interactions where status = 'completed' and not client_task and feedback <> '{}'::jsonb and coalesce(feedback_at, created_at) > $1
     order by coalesce(feedback_at, created_at) desc limit $2`,
    [since, limit],
  );
  return rows.map((r) => ({ ...r, routing_decision: readDecision(r.routing_decision) }));
}

/** Upserts a 'prompting' learning pattern per (model, task type, theme). */
export async function upsertPromptingPattern(
  tx: Queryable,
  p: { model: string; taskType: string; theme: string; data: unknown; successes: number; failures: number; confidence: number },
): Promise<void> {
  const { rows } = await tx.query<{ id: string }>(
    `select id from learning_patterns where pattern_type = 'prompting' and model_name = $1 and task_type = $2 and pattern_data->>'theme' = $3 limit 1`,
    [p.model, p.taskType, p.theme],
  );
  if (rows[0]) {
    await tx.query(
      `update learning_patterns set pattern_data = $2::jsonb, success_count = success_count + $3, failure_count = failure_count + $4,
         confidence_score = $5, last_updated = now() where id = $1`,
      [rows[0].id, JSON.stringify(p.data), p.successes, p.failures, p.confidence],
    );
  } else {
    await tx.query(
      `insert into learning_patterns (pattern_type, model_name, task_type, pattern_data, success_count, failure_count, confidence_score)
       values ('prompting', $1, $2, $3::jsonb, $4, $5, $6)`,
      [p.model, p.taskType, JSON.stringify(p.data), p.successes, p.failures, p.confidence],
    );
  }
}

/** Adds the rationale an agent wrote for the operator to a proposal's evidence. */
export async function setAdaptationRationale(tx: Queryable, { id, rationale }: { id: string; rationale: unknown }): Promise<void> {
  await tx.query(`update adaptations set evidence = evidence || jsonb_build_object('rationale', $2::jsonb) where id = $1 and status = 'proposed'`, [id, JSON.stringify(rationale)]);
}
