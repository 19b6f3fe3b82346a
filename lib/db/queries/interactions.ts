import type { PastOutcome } from "@/lib/domain";
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

const COLUMNS = `id, conversation_id, user_id, user_prompt, model_used, routing_decision, response, success_rating,
  response_time, created_at, feedback, status, task_type, source, parent_id, config_version_id, error,
  prompt_tokens, completion_tokens, completed_at`;

const vec = (v: number[] | undefined) => (v ? `[${v.join(",")}]` : null);

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
  promptEmbedding?: number[];
  embeddingModel?: string;
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
       config_version_id, source, prompt_embedding, embedding_model, experiment_id, experiment_arm, user_id, instance_id, client_task)
     values (coalesce($15::uuid, gen_random_uuid()), $1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9::extensions.vector, $10, $11, $12, $13, $14, $16)
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
      vec(i.promptEmbedding),
      i.promptEmbedding ? (i.embeddingModel ?? null) : null,
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
    /**
     * The request's embedding, when the start left it out: written with the outcome, so the
     * vector index takes the row once, after the answer, instead of before the first token
     * (an HNSW insertion is most of the cost of writing a row: ~20 ms of 21 on the embedded
     * database at 1,500 requests) and again when the outcome rewrites it.
     */
    promptEmbedding?: number[];
    embeddingModel?: string;
  },
): Promise<void> {
  await tx.query(
    `update interactions set status = $2, response = $3, model_used = $4, routing_decision = $5::jsonb,
       response_time = $6, prompt_tokens = $7, completion_tokens = $8, error = $9::jsonb,
       feedback = feedback || $10::jsonb, completed_at = now(),
       prompt_embedding = coalesce($11::extensions.vector, prompt_embedding),
       embedding_model = coalesce($12, embedding_model)
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
      vec(i.promptEmbedding),
      i.promptEmbedding ? (i.embeddingModel ?? null) : null,
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
    [vec(embedding), confirmed, outcomes],
  );
  const n = rows[0].n;
  return {
    confirmed: n.confirmed.map((r) => ({ ...r, similarity: Number(r.similarity) })),
    outcomes: n.outcomes.filter((r) => r.reward !== null).map((r) => ({ model: r.model, reward: Number(r.reward), similarity: Number(r.similarity) })),
  };
}

export async function getInteractionEmbedding(tx: Queryable, { id }: { id: string }): Promise<{ embedding: number[]; model: string } | null> {
  const { rows } = await tx.query<{ e: string | null; m: string | null }>(
    "select prompt_embedding::text as e, embedding_model as m from interactions where id = $1",
    [id],
  );
  return rows[0]?.e ? { embedding: JSON.parse(rows[0].e), model: rows[0].m ?? "" } : null;
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

/**
 * Attempts recorded in the most recent routing decisions, oldest first, with what was known
 * before each (task type, prompt size, cold start) and how it went (latency, first token);
 * cancelled ones say nothing about the model and are left out.
 */
export async function recentAttempts(
  tx: Queryable,
  { limit }: { limit: number },
): Promise<{ model: string; ok: boolean; ms: number; ttftMs: number | null; taskType: string; promptTokens: number; cold: boolean }[]> {
  const { rows } = await tx.query<{ model: string; ok: boolean; ms: number; ttft_ms: number | null; task_type: string; prompt_tokens: number; cold: boolean }>(
    `select a ->> 'model' as model, (a ->> 'ok')::boolean as ok, (a ->> 'ms')::float as ms, (a ->> 'ttftMs')::float as ttft_ms,
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
  return rows.map((r) => ({ model: r.model, ok: r.ok, ms: r.ms, ttftMs: r.ttft_ms, taskType: r.task_type, promptTokens: r.prompt_tokens, cold: r.cold }));
}
