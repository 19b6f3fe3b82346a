import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseLockedError } from "../../lib/db/data-dir-lock";
import { migrate } from "../../lib/db/migrate";
import { openPgliteThread } from "../../lib/db/pglite-thread";
import { withClaims } from "../../lib/db/session";
import type { Database } from "../../lib/db/types";
import { USER_A, USER_B, userClaims } from "../support/db";

// The server's embedded database runs on a worker thread; it must behave as PGlite in the
// calling thread does: migrations, RLS sessions, transactions, errors, notifications, the lock.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pglite-thread-"));
let db: Database;
beforeAll(async () => {
  db = await openPgliteThread({ dataDir: dir });
  await migrate(db, { local: true });
});
afterAll(async () => {
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the embedded database on its own thread", () => {
  it("answers queries with the same values as in the calling thread (JSON, timestamps, vectors)", async () => {
    const { rows } = await db.query<{ j: unknown; t: Date; v: string; n: number }>(
      "select $1::jsonb as j, now() as t, '[1,2,3]'::extensions.vector::text as v, 2 + $2::int as n",
      [JSON.stringify({ a: [1, "b"] }), 40],
    );
    expect(rows[0].j).toEqual({ a: [1, "b"] });
    expect(rows[0].t).toBeInstanceOf(Date);
    expect(rows[0].v).toBe("[1,2,3]");
    expect(rows[0].n).toBe(42);
  });

  it("commits a transaction that resolves and rolls back one that throws, keeping the error", async () => {
    await db.exec("create table thread_t (id int primary key, note text)");
    await db.transaction(async (tx) => {
      await tx.query("insert into thread_t values (1, 'kept')");
    });
    const err = await db
      .transaction(async (tx) => {
        await tx.query("insert into thread_t values (2, 'dropped')");
        await tx.query("insert into thread_t values (1, 'duplicate')");
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe("23505");
    expect(err.message).toMatch(/duplicate key/);
    const { rows } = await db.query<{ id: number }>("select id from thread_t order by id");
    expect(rows.map((r) => r.id)).toEqual([1]);
    // An error thrown by the caller's own code rolls back too, and the database goes on.
    await expect(
      db.transaction(async (tx) => {
        await tx.query("insert into thread_t values (3, 'mine')");
        throw new Error("caller changed its mind");
      }),
    ).rejects.toThrow("caller changed its mind");
    expect((await db.query("select 1 from thread_t where id = 3")).rows).toEqual([]);
  });

  it("keeps concurrent transactions apart (each sees only its own work until it commits)", async () => {
    await db.exec("create table thread_c (n int)");
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction(async (tx) => {
          const before = await tx.query<{ c: number }>("select count(*)::int as c from thread_c");
          await tx.query("insert into thread_c values ($1)", [i]);
          const after = await tx.query<{ c: number }>("select count(*)::int as c from thread_c");
          expect(after.rows[0].c).toBe(before.rows[0].c + 1);
        }),
      ),
    );
    expect((await db.query<{ c: number }>("select count(*)::int as c from thread_c")).rows[0].c).toBe(20);
  });

  it("runs RLS sessions: a user sees only their own rows", async () => {
    const conv = await withClaims(db, userClaims(USER_A), async (tx) =>
      (await tx.query<{ id: string }>("insert into conversations (user_id, title) values ($1, 'mine') returning id", [USER_A])).rows[0].id,
    );
    const seenByB = await withClaims(db, userClaims(USER_B), (tx) => tx.query("select id from conversations where id = $1", [conv]));
    const seenByA = await withClaims(db, userClaims(USER_A), (tx) => tx.query("select id from conversations where id = $1", [conv]));
    expect(seenByB.rows).toEqual([]);
    expect(seenByA.rows).toHaveLength(1);
  });

  it("delivers notifications to every listener until it stops listening", async () => {
    const got: string[] = [];
    const other: string[] = [];
    const stop = await db.listen("thread_ch", (p) => got.push(p));
    const stopOther = await db.listen("thread_ch", (p) => other.push(p));
    await db.query("select pg_notify('thread_ch', 'one')");
    await expect.poll(() => got).toEqual(["one"]);
    await expect.poll(() => other).toEqual(["one"]);
    await stop();
    await db.query("select pg_notify('thread_ch', 'two')");
    await expect.poll(() => other).toEqual(["one", "two"]);
    expect(got).toEqual(["one"]);
    await stopOther();
  });

  it("holds the data directory: a second opening is refused, and the data outlives a reopening", async () => {
    await expect(openPgliteThread({ dataDir: dir })).rejects.toBeInstanceOf(DatabaseLockedError);
    await db.close();
    await expect(db.query("select 1")).rejects.toThrow(/closed/);
    db = await openPgliteThread({ dataDir: dir });
    expect((await db.query<{ id: number }>("select id from thread_t")).rows).toEqual([{ id: 1 }]);
  });
});

describe("the embedded database's queue", () => {
  /** Sends at once, without waiting: a statement that holds the connection for half a second, two queued behind it, then an urgent one; each notes when it ran. */
  async function order(db: Database): Promise<string[]> {
    await db.exec("create table if not exists queue_log (n serial primary key, what text)");
    await db.exec("truncate queue_log");
    const note = (q: { query: Database["query"] }, what: string) => q.query("insert into queue_log (what) values ($1)", [what]);
    await Promise.all([db.query("select pg_sleep(0.5)"), note(db, "learning 1"), note(db, "learning 2"), note(db.urgent, "a request's record")]);
    return (await db.query<{ what: string }>("select what from queue_log order by n")).rows.map((r) => r.what);
  }

  /** The order `order` reports on an embedded database of its own whose queued statements wait at most `urgentLeadMs`. */
  async function orderWithLead(urgentLeadMs: number): Promise<string[]> {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "pglite-queue-"));
    const q = await openPgliteThread({ dataDir: d, urgentLeadMs });
    try {
      return await order(q);
    } finally {
      await q.close();
      fs.rmSync(d, { recursive: true, force: true });
    }
  }

  it("runs what a waiting request needs before the statements already queued", async () => {
    expect(await orderWithLead(60_000)).toEqual(["a request's record", "learning 1", "learning 2"]);
  });

  it("lets nothing wait longer than its lead: past it, the queue's order holds", async () => {
    expect(await orderWithLead(0)).toEqual(["learning 1", "learning 2", "a request's record"]);
  });

  it("never puts an urgent statement inside another's transaction, nor holds a transaction's own statements back", async () => {
    await db.exec("create table if not exists queue_tx (n serial primary key, what text)");
    let urgent: Promise<unknown> | undefined;
    await db.transaction(async (tx) => {
      await tx.query("insert into queue_tx (what) values ('in the transaction, first')");
      urgent = db.urgent.query("insert into queue_tx (what) values ('urgent')");
      await tx.query("insert into queue_tx (what) values ('in the transaction, then')");
    });
    await urgent;
    const { rows } = await db.query<{ what: string }>("select what from queue_tx order by n");
    expect(rows.map((r) => r.what)).toEqual(["in the transaction, first", "in the transaction, then", "urgent"]);
  });
});
