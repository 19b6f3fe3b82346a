import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, USER_A } from "../support/db";
import type { Database } from "../../lib/db";
import { refreshPlannerStatistics } from "../../lib/db/planner-statistics";
import { requestNeighbours } from "../../lib/db/queries/past-interactions";
import type { Queryable } from "../../lib/db/types";
import { seededRng } from "../../lib/learning/random";

/**
 * The embedded database has no autovacuum, so its planner never had statistics: it took the
 * interactions table for empty and answered the nearest-outcomes read by sorting every row.
 * The request path's reads (private.request_neighbours) rule the sort out themselves, with
 * planner settings of their own, and refreshPlannerStatistics takes statistics for what grew,
 * as autovacuum would.
 */
let db: Database;
const rng = seededRng(11);
const vector = () => `[${Array.from({ length: 768 }, () => rng() * 2 - 1).join(",")}]`;

/** How many times each index (and the table itself) was scanned by `read`, and what it returned. */
async function walks<T>(read: (tx: Queryable) => Promise<T>): Promise<{ all: number; confirmed: number; heapScans: number; otherIndexScans: number; result: T }> {
  // The backend's counts not yet flushed to the statistics: read before and after, in one transaction.
  const counts = async (tx: Queryable) =>
    (
      await tx.query<{ all: number; confirmed: number; heap: number; others: number }>(
        `select pg_stat_get_xact_numscans('private.request_embeddings_embedding_idx'::regclass)::int as all,
                (select coalesce(sum(pg_stat_get_xact_numscans(x.indexrelid)), 0)::int from pg_index x
                  where x.indrelid = 'public.interactions'::regclass and x.indexrelid <> 'public.interactions_pkey'::regclass) as others,
                pg_stat_get_xact_numscans('private.confirmed_request_embeddings_embedding_idx'::regclass)::int as confirmed,
                pg_stat_get_xact_numscans('public.interactions'::regclass)::int + pg_stat_get_xact_numscans('private.request_embeddings'::regclass)::int
                  + pg_stat_get_xact_numscans('private.confirmed_request_embeddings'::regclass)::int as heap`,
      )
    ).rows[0];
  return db.transaction(async (tx) => {
    const before = await counts(tx);
    const result = await read(tx);
    const after = await counts(tx);
    return { all: after.all - before.all, confirmed: after.confirmed - before.confirmed, heapScans: after.heap - before.heap, otherIndexScans: after.others - before.others, result };
  });
}

beforeAll(async () => {
  db = await createTestDb();
  // On the PostgreSQL server autovacuum would take statistics on its own, at a time of its choosing.
  await db.exec("alter table interactions set (autovacuum_enabled = false); alter table private.request_embeddings set (autovacuum_enabled = false); alter table private.confirmed_request_embeddings set (autovacuum_enabled = false)");
  const { rows } = await db.query<{ id: string }>("insert into conversations (user_id, title) values ($1, 'statistics') returning id", [USER_A]);
  for (let i = 0; i < 600; i++) {
    await db.query(
      `with i as (
         insert into interactions (conversation_id, user_id, user_prompt, task_type, status, model_used)
         values ($1, $2, 'request', 'general', 'completed', 'm') returning id)
       insert into private.request_embeddings (interaction_id, embedding, embedding_model) select id, $3::extensions.vector, 'sim' from i`,
      [rows[0].id, USER_A, vector()],
    );
  }
}, 120_000);
afterAll(() => db?.close());

describe("the embedded database's planner", () => {
  it("walks the HNSW index for the nearest-outcomes read, with or without statistics, never the whole table", async () => {
    // Without statistics (PGlite never takes them by itself) the planner took the table for
    // empty and sorted every row by distance; the read's own settings now rule that out.
    const before = await db.query<{ reltuples: number }>("select reltuples from pg_class where oid = 'public.interactions'::regclass");
    expect(Number(before.rows[0].reltuples)).toBeLessThan(600);
    // The interactions found are read by their key, whatever the statistics say (without any,
    // the planner once read a whole partial index of the answered requests for each one found).
    const cold = await walks((tx) => requestNeighbours(tx, { embedding: JSON.parse(vector()), confirmed: 0, outcomes: 20 }));
    expect(cold).toMatchObject({ all: 1, heapScans: 0, otherIndexScans: 0 });
    await refreshPlannerStatistics(db);
    const warm = await walks((tx) => requestNeighbours(tx, { embedding: JSON.parse(vector()), confirmed: 0, outcomes: 20 }));
    expect(warm).toMatchObject({ all: 1, heapScans: 0, otherIndexScans: 0 });
    // The settings were the function's own: the caller's session is as it was.
    expect((await db.query<{ s: string }>("select current_setting('enable_seqscan') as s")).rows[0].s).toBe("on");
  });

  it("walks only the confirmed requests for the classifier's neighbours", async () => {
    // A few of the 600 requests have a confirmed task type (rated well): the read goes
    // through the index of those alone, not past every unconfirmed one.
    await db.query("update interactions set success_rating = 5 where id in (select id from interactions order by id limit 12)");
    const both = await walks((tx) => requestNeighbours(tx, { embedding: JSON.parse(vector()), confirmed: 15, outcomes: 20 }));
    expect(both).toMatchObject({ confirmed: 1, all: 1, heapScans: 0 });
    expect(both.result.confirmed).toHaveLength(12);
    expect(both.result.confirmed.every((n) => n.task_type === "general" && n.success_rating === 5)).toBe(true);
  });

  it("gets statistics for a table that grew by a tenth, and leaves alone what has not", async () => {
    expect(await refreshPlannerStatistics(db)).not.toContain("public.interactions");
    const after = await db.query<{ reltuples: number }>("select reltuples from pg_class where oid = 'public.interactions'::regclass");
    expect(Number(after.rows[0].reltuples)).toBe(600);
    const { rows } = await db.query<{ id: string }>("select conversation_id as id from interactions limit 1");
    await db.query(
      `insert into interactions (conversation_id, user_id, user_prompt, task_type, status, model_used)
       select $1, $2, repeat('x', 400), 'general', 'completed', 'm' from generate_series(1, 400)`,
      [rows[0].id, USER_A],
    );
    expect(await refreshPlannerStatistics(db)).toContain("public.interactions");
    const grown = await db.query<{ reltuples: number }>("select reltuples from pg_class where oid = 'public.interactions'::regclass");
    expect(Number(grown.rows[0].reltuples)).toBe(1000);
    expect(await refreshPlannerStatistics(db)).toEqual([]);
  });
});
