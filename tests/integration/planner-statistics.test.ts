import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, USER_A } from "../support/db";
import type { Database } from "../../lib/db";
import { refreshPlannerStatistics } from "../../lib/db/planner-statistics";
import { preferVectorIndex } from "../../lib/db/queries/vector-index";
import { nearestConfirmedInteractions } from "../../lib/db/queries/interactions";
import type { Queryable } from "../../lib/db/types";
import { seededRng } from "../../lib/learning/random";

/**
 * The embedded database has no autovacuum, so its planner never had statistics: it took the
 * interactions table for empty and answered the nearest-outcomes read by sorting every row.
 * The read now rules the sort out itself (preferVectorIndex), and refreshPlannerStatistics
 * takes statistics for what grew, as autovacuum would.
 */
let db: Database;
const rng = seededRng(11);
const vector = () => `[${Array.from({ length: 768 }, () => rng() * 2 - 1).join(",")}]`;
// The shape of the request path's read of past outcomes (lib/db/queries/interactions.ts).
const NEAREST_OUTCOMES = `explain select model_used, prompt_embedding <=> $1::extensions.vector as d
  from interactions where prompt_embedding is not null and status = 'completed' and model_used is not null
  order by prompt_embedding <=> $1::extensions.vector limit 20`;

/** The plan of that read, with the settings the request path reads it under (preferVectorIndex). */
async function plan(): Promise<string> {
  const { rows } = await db.transaction(async (tx) => {
    await preferVectorIndex(tx, { limit: 20 });
    return tx.query<{ "QUERY PLAN": string }>(NEAREST_OUTCOMES, [vector()]);
  });
  return rows.map((r) => r["QUERY PLAN"]).join("\n");
}

/** The plan of every read a function makes (its settings applied as they are), instead of running them. */
async function plansOf(read: (tx: Queryable) => Promise<unknown>): Promise<string> {
  const plans: string[] = [];
  await db.transaction(async (tx) => {
    const explaining: Queryable = {
      exec: (sql) => tx.exec(sql),
      async query<T>(sql: string, params?: unknown[]) {
        const { rows } = await tx.query<{ "QUERY PLAN": string }>(`explain ${sql}`, params);
        plans.push(rows.map((r) => r["QUERY PLAN"]).join("\n"));
        return { rows: [] as T[] };
      },
    };
    await read(explaining);
  });
  return plans.join("\n");
}

beforeAll(async () => {
  db = await createTestDb();
  // On the PostgreSQL server autovacuum would take statistics on its own, at a time of its choosing.
  await db.exec("alter table interactions set (autovacuum_enabled = false)");
  const { rows } = await db.query<{ id: string }>("insert into conversations (user_id, title) values ($1, 'statistics') returning id", [USER_A]);
  for (let i = 0; i < 600; i++) {
    await db.query(
      `insert into interactions (conversation_id, user_id, user_prompt, task_type, status, model_used, prompt_embedding, embedding_model)
       values ($1, $2, 'request', 'general', 'completed', 'm', $3::extensions.vector, 'sim')`,
      [rows[0].id, USER_A, vector()],
    );
  }
}, 120_000);
afterAll(() => db?.close());

describe("the embedded database's planner", () => {
  it("walks the HNSW index for the nearest-outcomes read, with or without statistics", async () => {
    // Without statistics (PGlite never takes them by itself) the planner took the table for
    // empty and sorted every row by distance; the read's own settings now rule that out.
    const before = await db.query<{ reltuples: number }>("select reltuples from pg_class where oid = 'public.interactions'::regclass");
    expect(Number(before.rows[0].reltuples)).toBeLessThan(600);
    expect(await plan()).toMatch(/Index Scan using interactions_prompt_embedding_idx/);
    await refreshPlannerStatistics(db);
    expect(await plan()).toMatch(/Index Scan using interactions_prompt_embedding_idx/);
    expect(await plan()).not.toMatch(/Sort/);
  });

  it("walks only the confirmed requests for the classifier's neighbours", async () => {
    // A few of the 600 requests have a confirmed task type (rated well): the read goes
    // through the index of those alone, not past every unconfirmed one.
    await db.query("update interactions set success_rating = 5 where id in (select id from interactions order by id limit 12)");
    const plan = await plansOf((tx) => nearestConfirmedInteractions(tx, { embedding: JSON.parse(vector()), limit: 15 }));
    expect(plan).toMatch(/Index Scan using interactions_confirmed_embedding_idx/);
    const found = await db.transaction((tx) => nearestConfirmedInteractions(tx, { embedding: JSON.parse(vector()), limit: 15 }));
    expect(found).toHaveLength(12);
    expect(found.every((n) => n.task_type === "general" && n.success_rating === 5)).toBe(true);
  });

  it("gets statistics for a table that grew by a tenth, and leaves alone what has not", async () => {
    expect(await refreshPlannerStatistics(db)).not.toContain("public.interactions");
    const after = await db.query<{ reltuples: number }>("select reltuples from pg_class where oid = 'public.interactions'::regclass");
    expect(Number(after.rows[0].reltuples)).toBe(600);
    const { rows } = await db.query<{ id: string }>("select conversation_id as id from interactions limit 1");
    await db.query(
      `insert into interactions (conversation_id, user_id, user_prompt, task_type, status, model_used, embedding_model)
       select $1, $2, repeat('x', 400), 'general', 'completed', 'm', 'sim' from generate_series(1, 400)`,
      [rows[0].id, USER_A],
    );
    expect(await refreshPlannerStatistics(db)).toContain("public.interactions");
    const grown = await db.query<{ reltuples: number }>("select reltuples from pg_class where oid = 'public.interactions'::regclass");
    expect(Number(grown.rows[0].reltuples)).toBe(1000);
    expect(await refreshPlannerStatistics(db)).toEqual([]);
  });
});
