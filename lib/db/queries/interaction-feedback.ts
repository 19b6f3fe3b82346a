/**
 * Feedback on answers, written two ways: a user's, through the one narrow path users have
 * (give_feedback), and the server's own signals (implicit, regenerated), on the system path;
 * and the answers that earn an implicit signal by being left broken.
 */
import type { Queryable } from "../types";
import { COLUMNS, type InteractionRow } from "./interactions";

/**
 * Merges a user's feedback (and the star rating, when given) into one of their own
 * interactions, through the one narrow path users have (SQL public.give_feedback: only
 * feedback keys a user may write); null when the interaction is not theirs.
 */
export async function recordFeedback(
  tx: Queryable,
  { id, rating, feedback }: { id: string; rating?: number | null; feedback: Record<string, unknown> },
): Promise<InteractionRow | null> {
  const { rows } = await tx.query<InteractionRow>(`select ${COLUMNS} from public.give_feedback($1, $2, $3::jsonb)`, [id, rating ?? null, JSON.stringify(feedback)]);
  return rows[0] ?? null;
}

/**
 * Answers in the chat that the automatic checks found broken (their reward below success,
 * private.interaction_reward) and that their user then left: asked within `within` and finished
 * more than `quietFor` ago, nothing asked after them in the conversation, and nothing on them
 * from their user (private.user_feedback_keys: rating, thumbs, comment, copy…), no
 * regeneration and no implicit signal yet. API answers are left out: many are one-off
 * requests by design (scripts, an editor's inline edits, a client's title generation), so
 * nothing asked after them says nothing.
 */
export async function abandonedBrokenAnswers(
  tx: Queryable,
  { quietForMs, withinMs, limit = 200 }: { quietForMs: number; withinMs: number; limit?: number },
): Promise<InteractionRow[]> {
  const { rows } = await tx.query<InteractionRow>(
    `select ${COLUMNS} from interactions i
      where i.status = 'completed' and i.source = 'chat' and i.model_used is not null
        and i.completed_at < now() - $1 * interval '1 millisecond'
        and i.created_at > now() - $2 * interval '1 millisecond'
        and i.success_rating is null
        and not (i.feedback ?| private.user_feedback_keys()) and not (i.feedback ?| array['regenerated', 'implicit'])
        and private.interaction_reward(i.status, i.success_rating, i.feedback) < 0.5
        and not exists (select 1 from interactions later where later.conversation_id = i.conversation_id and later.created_at > i.created_at)
      order by i.completed_at
      limit $3`,
    [quietForMs, withinMs, limit],
  );
  return rows;
}

/**
 * Server-only feedback keys (`implicit`, `regenerated`): merged on the system path, never
 * through give_feedback. Returns the answer either side of the write (the row locked, so a
 * concurrent signal is read after it), for the reward it had and has; null when there is no
 * such answer.
 */
export async function recordServerFeedback(
  tx: Queryable,
  { id, feedback }: { id: string; feedback: Record<string, unknown> },
): Promise<{ before: InteractionRow; after: InteractionRow } | null> {
  const { rows } = await tx.query<InteractionRow & { old_feedback: InteractionRow["feedback"] }>(
    `with old as (select id as old_id, feedback as old_feedback from interactions where id = $1 for update)
     update interactions set feedback = interactions.feedback || $2::jsonb from old where interactions.id = old.old_id
     returning ${COLUMNS}, old_feedback`,
    [id, JSON.stringify(feedback)],
  );
  if (!rows[0]) return null;
  const { old_feedback, ...after } = rows[0];
  return { before: { ...after, feedback: old_feedback }, after };
}
