/**
 * What the request path and the learning read of past interactions: the nearest requests
 * (confirmed task types, and outcomes per model), the answer an API client follows up, and
 * the latest attempts' latencies and failures.
 */
import type { PastOutcome } from "@/lib/domain";
import type { Queryable } from "../types";
import { COLUMNS, type InteractionRow } from "./interactions";
import { vectorLiteral } from "./vector-literal";

export type ConfirmedNeighbour = { id: string; task_type: string; stated: boolean; user_prompt: string; model_used: string; success_rating: number | null; similarity: number };

/**
 * The request path's two nearest-neighbour reads, in one call (private.request_neighbours:
 * one round trip, no transaction, the HNSW walks under the function's own planner settings):
 *
 * - `confirmed`: past requests whose task type was confirmed (lib/domain/task-type-confirmation.ts:
 *   stated by a user or operator, or rated well and undisputed), nearest first: the
 *   classifier's neighbours. `task_type` is the confirmed label; `stated` says a person gave it.
 * - `outcomes`: the nearest past requests that a model answered, with the reward each earned
 *   (those whose reward is still unknown left out): the routing policy's per-request evidence.
 *
 * `similarity` is the cosine similarity to the embedding (the index's own distance: the
 * embeddings themselves stay in the database). A limit of 0 skips that read.
 */
export async function requestNeighbours(
  q: Queryable,
  { embedding, confirmed = 15, outcomes = 20 }: { embedding: number[]; confirmed?: number; outcomes?: number },
): Promise<{ confirmed: ConfirmedNeighbour[]; outcomes: PastOutcome[] }> {
  const { rows } = await q.query<{ n: { confirmed: ConfirmedNeighbour[]; outcomes: (Omit<PastOutcome, "reward"> & { reward: number | null })[] } }>(
    "select private.request_neighbours($1::extensions.vector, $2, $3) as n",
    [vectorLiteral(embedding), confirmed, outcomes],
  );
  const n = rows[0].n;
  return {
    confirmed: n.confirmed.map((r) => ({ ...r, similarity: Number(r.similarity) })),
    outcomes: n.outcomes.filter((r) => r.reward !== null).map((r) => ({ model: r.model, reward: Number(r.reward), similarity: Number(r.similarity) })),
  };
}

/** The white space a client may trim from the ends of an answer it sends back (the index of 20261212090000_answers_by_text.sql uses the same). */
const ENDS = String.raw`E' \t\r\n'`;

/**
 * What an API client's request continues, in one statement: the user's recent answer whose
 * text is `response` (the last answer the client sent back), white space at the ends aside (a
 * client may trim it); where two have that text, the one to the same question (`askedThen`),
 * then the latest. With `question`, also the answer a client asks for again: the same
 * question, sent after that answer, already answered in its conversation (the latest such).
 */
export async function answerFollowedUp(
  tx: Queryable,
  { userId, response, askedThen, question }: { userId: string; response: string; askedThen?: string | null; question?: string | null },
): Promise<{ previous: InteractionRow; askedAgain: { id: string; parent_id: string | null } | null } | null> {
  const { rows } = await tx.query<InteractionRow & { again_id: string | null; again_parent_id: string | null }>(
    `select p.*, a.id as again_id, a.parent_id as again_parent_id
       from (select ${COLUMNS} from interactions
              where user_id = $1 and status = 'completed' and md5(btrim(response, ${ENDS})) = md5(btrim($2, ${ENDS})) and btrim(response, ${ENDS}) = btrim($2, ${ENDS})
                and created_at > now() - interval '1 day'
              order by (user_prompt = $3) is true desc, created_at desc limit 1) p
       left join lateral (
         select r.id, r.parent_id from interactions r
          where $4::text is not null and r.conversation_id = p.conversation_id and r.user_id = p.user_id
            and r.created_at >= p.created_at and r.id <> p.id and r.user_prompt = $4 and r.status = 'completed'
          order by r.created_at desc limit 1) a on true`,
    [userId, response, askedThen ?? null, question ?? null],
  );
  if (!rows[0]) return null;
  const { again_id, again_parent_id, ...previous } = rows[0];
  return { previous, askedAgain: again_id ? { id: again_id, parent_id: again_parent_id } : null };
}

/**
 * Attempts recorded in the most recent routing decisions, oldest first, with what was known
 * before each (task type, prompt size, cold start) and how it went (latency, first token);
 * cancelled ones say nothing about the model and are left out.
 */
export async function recentAttempts(
  tx: Queryable,
  { limit }: { limit: number },
): Promise<{ model: string; ok: boolean; reason: string | null; ms: number; ttftMs: number | null; taskType: string; promptTokens: number; cold: boolean; atMs: number }[]> {
  const { rows } = await tx.query<{ model: string; ok: boolean; reason: string | null; ms: number; ttft_ms: number | null; task_type: string; prompt_tokens: number; cold: boolean; at_ms: number }>(
    `select a ->> 'model' as model, (a ->> 'ok')::boolean as ok, a ->> 'reason' as reason, (a ->> 'ms')::float as ms, (a ->> 'ttftMs')::float as ttft_ms,
            extract(epoch from i.created_at)::float8 * 1000 as at_ms,
            i.routing_decision ->> 'taskType' as task_type, coalesce((a ->> 'promptTokens')::int, 0) as prompt_tokens,
            coalesce((a ->> 'cold')::boolean, false) as cold
       from (select routing_decision, created_at from interactions
              where status in ('completed', 'failed') and jsonb_typeof(routing_decision -> 'attempts') = 'array'
              order by created_at desc limit $1) i,
            jsonb_array_elements(i.routing_decision -> 'attempts') a
      where jsonb_typeof(a) = 'object' and a ? 'model' and a ? 'ms' and coalesce(a ->> 'reason', '') <> 'cancelled'
      order by i.created_at`,
    [limit],
  );
  return rows.map((r) => ({ model: r.model, ok: r.ok, reason: r.reason, ms: r.ms, ttftMs: r.ttft_ms, taskType: r.task_type, promptTokens: r.prompt_tokens, cold: r.cold, atMs: Number(r.at_ms) }));
}
