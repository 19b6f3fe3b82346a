/**
 * Bulk loading of a history of conversations and interactions (the demo seed and the
 * benchmark). Row-by-row rollup triggers would make a million rows slow, so each batch
 * goes in with triggers off (`session_replication_role = replica`, transaction-local) and
 * the rollups are rebuilt once at the end, set-based. Runs as the database owner.
 */
import type { TaskType } from "@/lib/domain";
import type { Database } from "./types";
import type { InteractionRow } from "./queries/interactions";
import { rebuildRollups } from "./queries/analytics";

/** One batch of generated history (lib/analytics/demo-history.ts makes them), in the shape the bulk insert takes. */
export interface DemoConversation {
  id: string;
  user_id: string;
  title: string;
  created_at: string;
  updated_at: string;
}

/** An interaction row as the bulk insert takes it: timestamps as ISO strings, always a task type. */
export type DemoInteraction = Omit<InteractionRow, "created_at" | "completed_at" | "task_type" | "source" | "config_version_id" | "error"> & {
  created_at: string;
  completed_at: string | null;
  task_type: TaskType;
  source: "seed";
};

export interface DemoBatch {
  conversations: DemoConversation[];
  interactions: DemoInteraction[];
}


async function canDisableTriggers(db: Database): Promise<boolean> {
  try {
    await db.transaction(async (tx) => {
      await tx.exec("set local session_replication_role = replica");
    });
    return true;
  } catch {
    return false; // not allowed here (no superuser): insert with the triggers on instead
  }
}

export async function insertHistoryBatch(db: Database, batch: DemoBatch, opts: { triggersOff: boolean }): Promise<void> {
  await db.transaction(async (tx) => {
    if (opts.triggersOff) await tx.exec("set local session_replication_role = replica");
    await tx.query(
      `insert into public.conversations (id, user_id, title, created_at, updated_at)
       select id, user_id, title, created_at, updated_at
       from jsonb_to_recordset($1::jsonb) as x (id uuid, user_id text, title text, created_at timestamptz, updated_at timestamptz)`,
      [JSON.stringify(batch.conversations)],
    );
    await tx.query(
      `insert into public.interactions (id, conversation_id, user_id, user_prompt, model_used, routing_decision, response,
         success_rating, response_time, created_at, completed_at, feedback, status, task_type, source, parent_id,
         prompt_tokens, completion_tokens)
       select id, conversation_id, user_id, user_prompt, model_used, routing_decision, response, success_rating,
         response_time, created_at, completed_at, feedback, status, task_type, source, parent_id, prompt_tokens, completion_tokens
       from jsonb_to_recordset($1::jsonb) as x (id uuid, conversation_id uuid, user_id text, user_prompt text, model_used text,
         routing_decision jsonb, response text, success_rating integer, response_time float8, created_at timestamptz,
         completed_at timestamptz, feedback jsonb, status text, task_type text, source text, parent_id uuid,
         prompt_tokens integer, completion_tokens integer)`,
      [JSON.stringify(batch.interactions)],
    );
  });
}

/**
 * Loads every batch, then rebuilds the rollups. Returns how many rows went in and how long
 * the insert and the rebuild took.
 */
export async function bulkLoadHistory(
  db: Database,
  batches: Iterable<DemoBatch>,
  opts: { onProgress?: (inserted: number) => void } = {},
): Promise<{ conversations: number; interactions: number; insertMs: number; rebuildMs: number; triggersOff: boolean }> {
  const triggersOff = await canDisableTriggers(db);
  let conversations = 0;
  let interactions = 0;
  const t0 = performance.now();
  // An HNSW index costs most of the insert time even for rows without an embedding:
  // drop it during the load and build it again after (DESIGN: bulk-insert, then build HNSW).
  const { rows: hnsw } = await db.query<{ name: string; def: string }>(
    `select indexname as name, indexdef as def from pg_indexes
     where schemaname = 'public' and tablename = 'interactions' and indexdef ilike '%using hnsw%'`,
  );
  for (const ix of hnsw) await db.exec(`drop index public.${ix.name}`);
  try {
    for (const batch of batches) {
      await insertHistoryBatch(db, batch, { triggersOff });
      conversations += batch.conversations.length;
      interactions += batch.interactions.length;
      opts.onProgress?.(interactions);
    }
  } finally {
    for (const ix of hnsw) await db.exec(ix.def);
  }
  const t1 = performance.now();
  await db.transaction((tx) => rebuildRollups(tx));
  return { conversations, interactions, insertMs: t1 - t0, rebuildMs: performance.now() - t1, triggersOff };
}
