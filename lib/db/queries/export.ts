import type { Queryable } from "../types";

/** One interaction with its feedback, as exported (newest first, keyset-paged). */
export interface ExportRow {
  id: string;
  created_at: string;
  completed_at: string | null;
  conversation_id: string;
  user_id: string;
  status: string;
  task_type: string | null;
  model_used: string | null;
  routing_decision: Record<string, unknown>;
  response_time: number | null;
  success_rating: number | null;
  feedback: Record<string, unknown>;
  reward: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  parent_id: string | null;
  source: string;
  user_prompt: string;
  response: string | null;
  /** created_at as Postgres text (microseconds kept): the keyset cursor. */
  cursor: string;
}

/**
 * A page of interactions for the export, under the caller's RLS session (an operator sees
 * everyone's). The model filter matches the model the rollups count an interaction for.
 */
export async function listInteractionsForExport(
  tx: Queryable,
  f: { from: Date | null; model: string | null; taskType: string | null; after: { cursor: string; id: string } | null; limit: number },
): Promise<ExportRow[]> {
  const { rows } = await tx.query<ExportRow>(
    `select i.id, i.created_at::text as created_at, i.completed_at::text as completed_at, i.conversation_id, i.user_id,
       i.status, i.task_type, i.model_used, i.routing_decision, i.response_time, i.success_rating, i.feedback,
       private.interaction_reward(i.status, i.success_rating, i.feedback) as reward,
       i.prompt_tokens, i.completion_tokens, i.parent_id, i.source, i.user_prompt, i.response, i.created_at::text as cursor
     from interactions i
     where ($1::timestamptz is null or i.created_at >= $1::timestamptz)
       and ($2::text is null or coalesce(nullif(i.model_used, ''), nullif(i.routing_decision ->> 'model', ''), '') = $2::text)
       and ($3::text is null or i.task_type = $3::text)
       and ($4::timestamptz is null or (i.created_at, i.id) < ($4::timestamptz, $5::uuid))
     order by i.created_at desc, i.id desc
     limit $6`,
    [f.from, f.model, f.taskType, f.after?.cursor ?? null, f.after?.id ?? null, f.limit],
  );
  return rows;
}
