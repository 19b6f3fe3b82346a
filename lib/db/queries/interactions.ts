/** The interactions table: one row per request, written by the server as it starts, streams and ends; read back by id and by conversation. */
import type { Queryable, Statement } from "../types";

export type InteractionStatus = "started" | "completed" | "failed" | "cancelled" | "interrupted";

export interface InteractionRow {
  id: string;
  conversation_id: string;
  user_id: string;
  user_prompt: string;
  model_used: string | null;
  routing_decision: Record<string, unknown>;
  response: string | null;
  success_rating: number | null;
  response_time: number | null;
  created_at: Date;
  feedback: Record<string, unknown>;
  status: InteractionStatus;
  task_type: string | null;
  source: "chat" | "api" | "seed";
  parent_id: string | null;
  config_version_id: string | null;
  error: Record<string, unknown> | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  completed_at: Date | null;
}

/** The columns an InteractionRow is read from. */
export const COLUMNS = `id, conversation_id, user_id, user_prompt, model_used, routing_decision, response, success_rating,
  response_time, created_at, feedback, status, task_type, source, parent_id, config_version_id, error,
  prompt_tokens, completion_tokens, completed_at`;


/** Written before the first token, so a crash or a failed model still leaves a record. */
export type NewInteraction = {
  /** chosen by the server when it answers before the row is written; else the database's default */
  id?: string;
  conversationId: string;
  /** whose request it is (the caller has checked that the conversation is theirs) */
  userId: string;
  prompt: string;
  taskType: string;
  routingDecision: unknown;
  modelUsed: string;
  parentId?: string | null;
  configVersionId?: string | null;
  source?: "chat" | "api";
  /** The running experiment that assigned this conversation an arm (the learning cycle). */
  experimentId?: string | null;
  experimentArm?: "control" | "variant" | null;
  /** the app instance answering it (crash recovery: lib/orchestrator/recovery.ts) */
  instanceId?: string | null;
  /** a client's housekeeping, not a user's request (lib/domain/client-task.ts) */
  clientTask?: boolean;
};

/** The insertion of a new interaction (it returns id, created_at). */
export function startInteractionStatement(i: NewInteraction): Statement {
  return {
    sql: `insert into interactions (id, conversation_id, user_prompt, task_type, routing_decision, model_used, parent_id,
       config_version_id, source, experiment_id, experiment_arm, user_id, instance_id, client_task)
     values (coalesce($13::uuid, gen_random_uuid()), $1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11, $12, $14)
     returning id, created_at`,
    params: [
      i.conversationId,
      i.prompt,
      i.taskType,
      JSON.stringify(i.routingDecision),
      i.modelUsed,
      i.parentId ?? null,
      i.configVersionId ?? null,
      i.source ?? "chat",
      i.experimentId ?? null,
      i.experimentId ? (i.experimentArm ?? null) : null,
      i.userId,
      i.instanceId ?? null,
      i.id ?? null,
      i.clientTask ?? false,
    ],
  };
}

export async function startInteraction(tx: Queryable, i: NewInteraction): Promise<{ id: string; created_at: Date }> {
  const { sql, params } = startInteractionStatement(i);
  const { rows } = await tx.query<{ id: string; created_at: Date }>(sql, params);
  return rows[0];
}

/** The text streamed so far, kept while the answer runs (only while it is still `started`). */
export async function checkpointInteraction(tx: Queryable, { id, response }: { id: string; response: string }): Promise<void> {
  await tx.query("update interactions set response = $2, checkpoint_at = now() where id = $1 and status = 'started'", [id, response]);
}

/** The app instances that have interactions still `started` (other than `except`). */
export async function instancesWithStartedInteractions(tx: Queryable, { except }: { except: string }): Promise<(string | null)[]> {
  const { rows } = await tx.query<{ instance_id: string | null }>(
    "select distinct instance_id from interactions where status = 'started' and instance_id is distinct from $1",
    [except],
  );
  return rows.map((r) => r.instance_id);
}

/**
 * Interactions an instance left `started` when its process died become `interrupted`, with
 * the text checkpointed before it died. Returns how many.
 */
export async function interruptStartedBy(tx: Queryable, { instanceId }: { instanceId: string | null }): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `with gone as (
       update interactions set status = 'interrupted', response = coalesce(response, ''),
         completed_at = coalesce(checkpoint_at, created_at),
         error = jsonb_build_object('code', 'interrupted', 'message', 'The server stopped while answering; this is the text that had arrived.')
       where status = 'started' and instance_id is not distinct from $1
       returning 1)
     select count(*)::int as n from gone`,
    [instanceId],
  );
  return rows[0].n;
}

/** Written after the last token (or the last failure): the outcome, the answer, the trail. */
export async function finishInteraction(
  tx: Queryable,
  i: {
    id: string;
    status: Exclude<InteractionStatus, "started">;
    response: string;
    modelUsed: string | null;
    routingDecision: unknown;
    responseTimeMs: number;
    promptTokens?: number | null;
    completionTokens?: number | null;
    error?: unknown;
    feedback?: Record<string, unknown>;
  },
): Promise<void> {
  await tx.query(
    `update interactions set status = $2, response = $3, model_used = $4, routing_decision = $5::jsonb,
       response_time = $6, prompt_tokens = $7, completion_tokens = $8, error = $9::jsonb,
       feedback = feedback || $10::jsonb, completed_at = now()
     where id = $1`,
    [
      i.id,
      i.status,
      i.response,
      i.modelUsed,
      JSON.stringify(i.routingDecision),
      i.responseTimeMs,
      i.promptTokens ?? null,
      i.completionTokens ?? null,
      i.error === undefined ? null : JSON.stringify(i.error),
      JSON.stringify(i.feedback ?? {}),
    ],
  );
}

export async function getInteraction(tx: Queryable, { id }: { id: string }): Promise<InteractionRow | null> {
  const { rows } = await tx.query<InteractionRow>(`select ${COLUMNS} from interactions where id = $1`, [id]);
  return rows[0] ?? null;
}

export async function listInteractions(tx: Queryable, { conversationId }: { conversationId: string }): Promise<InteractionRow[]> {
  const { rows } = await tx.query<InteractionRow>(
    `select ${COLUMNS} from interactions where conversation_id = $1 order by created_at, id`,
    [conversationId],
  );
  return rows;
}
