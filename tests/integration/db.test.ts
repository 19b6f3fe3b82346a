import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, TEST_SERVER_URL, USER_A, USER_B, userClaims } from "../support/db";
import { migrate, readMigrations } from "../../lib/db/migrate";
import { withClaims } from "../../lib/db/session";
import { withFirst } from "../../lib/db/statement";
import { TASK_TYPES, confirmedTaskType } from "../../lib/domain";
import { acquireDataDirLock, DatabaseLockedError } from "../../lib/db/data-dir-lock";
import { openPglite } from "../../lib/db/pglite";

let db: Awaited<ReturnType<typeof createTestDb>>;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db.close());

describe("the database under test", () => {
  it("is the one the run names: PostgreSQL 15 with pgvector 0.8.1 through postgres.js, or PGlite", async () => {
    expect(db.kind).toBe(TEST_SERVER_URL ? "postgres" : "pglite");
    const { rows } = await db.query<{ version: string; vector: string }>(
      "select current_setting('server_version') as version, (select extversion from pg_extension where extname = 'vector') as vector",
    );
    expect(rows[0].version).toMatch(/^1[5-9]\./);
    if (TEST_SERVER_URL) expect(rows[0]).toMatchObject({ version: expect.stringMatching(/^15\./), vector: "0.8.1" });
    // Values round-trip the same on both drivers: JSON text, timestamps with microseconds.
    const { rows: r2 } = await db.query<{ j: unknown; t: string }>("select $1::jsonb as j, ($2::timestamptz)::text as t", [
      JSON.stringify({ a: [1, "b"] }),
      "2026-12-03 10:00:00.123456+00",
    ]);
    expect(r2[0].j).toEqual({ a: [1, "b"] });
    expect(r2[0].t).toContain(".123456");
  });
});

describe("a write that goes first, in the same statement (withFirst)", () => {
  it("runs both, renumbering the first one's parameters; a row it inserts satisfies the main statement's foreign key; all or nothing", async () => {
    await db.exec("create table if not exists first_parent (id int primary key, name text not null)");
    await db.exec("create table if not exists first_child (id int primary key, parent int not null references first_parent (id), note text)");
    const parent = (id: number, name: string) => ({ sql: "insert into first_parent (id, name) values ($1, $2)", params: [id, name] });
    const child = (id: number, p: number, note: string) => ({ sql: "insert into first_child (id, parent, note) values ($1, $2, $3) returning id, note", params: [id, p, note] });
    const st = withFirst(parent(1, "p1"), child(10, 1, "c10"));
    expect(st.sql).toContain("values ($4, $5)");
    expect((await db.query(st.sql, st.params)).rows).toEqual([{ id: 10, note: "c10" }]);
    expect((await db.query("select id, name from first_parent")).rows).toEqual([{ id: 1, name: "p1" }]);
    // The main statement fails (a duplicate child): the first write is undone with it.
    const again = withFirst(parent(2, "p2"), child(10, 2, "dup"));
    await expect(db.query(again.sql, again.params)).rejects.toThrow(/duplicate key/);
    expect((await db.query("select count(*)::int as n from first_parent")).rows).toEqual([{ n: 1 }]);
    await db.exec("drop table first_child; drop table first_parent");
  });
});

describe("migrations", () => {
  it("records every migration file and applies nothing twice", async () => {
    const files = readMigrations();
    const { rows } = await db.query<{ version: string }>(
      "select version from supabase_migrations.schema_migrations order by version",
    );
    expect(rows.map((r) => r.version)).toEqual(files.map((f) => f.version));
    expect((await migrate(db, { local: true })).applied).toEqual([]);
  });

  it("has the seed's five tables with their columns", async () => {
    const { rows } = await db.query<{ table_name: string; column_name: string; data_type: string }>(
      `select table_name, column_name, data_type from information_schema.columns where table_schema = 'public'`,
    );
    const cols = (t: string) => Object.fromEntries(rows.filter((r) => r.table_name === t).map((r) => [r.column_name, r.data_type]));
    expect(cols("conversations")).toMatchObject({ id: "uuid", user_id: "text", created_at: "timestamp with time zone", updated_at: "timestamp with time zone", metadata: "jsonb" });
    expect(cols("interactions")).toMatchObject({ id: "uuid", conversation_id: "uuid", user_prompt: "text", model_used: "text", routing_decision: "jsonb", response: "text", success_rating: "integer", response_time: "double precision", created_at: "timestamp with time zone", feedback: "jsonb" });
    expect(cols("learning_patterns")).toMatchObject({ id: "uuid", pattern_type: "text", pattern_data: "jsonb", success_count: "integer", failure_count: "integer", confidence_score: "double precision", last_updated: "timestamp with time zone" });
    expect(cols("knowledge_base")).toMatchObject({ id: "uuid", topic: "text", content: "text", source: "text", confidence: "double precision", created_at: "timestamp with time zone", embeddings: "USER-DEFINED", embedding_model: "text" });
    expect(cols("model_performance")).toMatchObject({ id: "uuid", model_name: "text", task_type: "text", success_rate: "double precision", avg_response_time: "double precision", user_satisfaction: "double precision", last_updated: "timestamp with time zone", performance_data: "jsonb" });
  });

  it("checks task types against exactly the domain's list", async () => {
    const { rows } = await db.query<{ def: string }>(
      `select pg_get_constraintdef(c.oid) as def from pg_constraint c
        where c.conrelid = 'public.interactions'::regclass and c.contype = 'c' and pg_get_constraintdef(c.oid) like '%task_type%'`,
    );
    expect(rows).toHaveLength(1);
    const inSql = [...rows[0].def.matchAll(/'([a-z_]+)'::text/g)].map((m) => m[1]).sort();
    expect(inSql).toEqual([...TASK_TYPES].sort());
  });

  it("confirms task types in SQL exactly as the domain does", async () => {
    const cases: [string | null, number | null, Record<string, unknown>][] = [
      ...TASK_TYPES.map((t): [string, null, Record<string, unknown>] => ["general", null, { taskType: t }]),
      ["debugging", 5, {}],
      ["debugging", 4, { thumbs: "down" }],
      ["debugging", 3, {}],
      ["debugging", null, { thumbs: "up" }],
      ["debugging", null, { thumbs: "down" }],
      ["debugging", 5, { taskType: "poetry" }],
      ["debugging", 2, { taskType: "math" }],
      [null, 5, {}],
      ["math", null, {}],
    ];
    for (const [taskType, rating, feedback] of cases) {
      const { rows } = await db.query<{ t: string | null }>("select private.confirmed_task_type($1, $2, $3::jsonb) as t", [taskType, rating, JSON.stringify(feedback)]);
      expect(rows[0].t, `${taskType} ${rating} ${JSON.stringify(feedback)}`).toBe(confirmedTaskType({ task_type: taskType, success_rating: rating, feedback }));
    }
  });

  it("enables RLS on every public table", async () => {
    const { rows } = await db.query<{ relname: string; relrowsecurity: boolean }>(
      `select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind = 'r'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(14);
    expect(rows.filter((r) => !r.relrowsecurity).map((r) => r.relname)).toEqual([]);
  });

  it("refuses embeddings of the wrong dimension", async () => {
    await expect(
      db.query(
        `insert into knowledge_base (content, source, content_hash, embedding_model, embeddings) values ('x', 'document_ingestion', 'h', 'm', $1)`,
        [`[${new Array(1536).fill(0.1).join(",")}]`],
      ),
    ).rejects.toThrow(/expected 768 dimensions/);
  });

  it("keeps configuration versions immutable", async () => {
    await expect(db.query("update config_versions set summary = 'changed'")).rejects.toThrow(/immutable/);
    await expect(db.query("delete from config_versions")).rejects.toThrow(/immutable/);
  });

  it("rejects a rating outside 1-5", async () => {
    const conv = await withClaims(db, userClaims(USER_A), (tx) =>
      tx.query<{ id: string }>("insert into conversations default values returning id"),
    );
    // The server writes interactions; the constraint holds on its path too, and a user's feedback path.
    await expect(
      db.query("insert into interactions (conversation_id, user_id, user_prompt, success_rating) values ($1, $2, 'hi', 6)", [conv.rows[0].id, USER_A]),
    ).rejects.toThrow(/check constraint/);
    const { rows } = await db.query<{ id: string }>("insert into interactions (conversation_id, user_id, user_prompt) values ($1, $2, 'hi') returning id", [conv.rows[0].id, USER_A]);
    await expect(
      withClaims(db, userClaims(USER_A), (tx) => tx.query("select * from public.give_feedback($1, 6, '{}'::jsonb)", [rows[0].id])),
    ).rejects.toThrow(/check constraint/);
  });
});

describe("withClaims", () => {
  it("runs as the claims' user and does not leak the role after the transaction", async () => {
    const inside = await withClaims(db, userClaims(USER_B), (tx) =>
      tx.query<{ uid: string; role: string }>("select auth.uid()::text as uid, current_user as role"),
    );
    expect(inside.rows[0]).toEqual({ uid: USER_B, role: "authenticated" });
    const after = await db.query<{ role: string; claims: string | null }>(
      "select current_user as role, nullif(current_setting('request.jwt.claims', true), '') as claims",
    );
    expect(after.rows[0]).toEqual({ role: "postgres", claims: null });
  });

  it("rolls back the user's writes when fn throws", async () => {
    await expect(
      withClaims(db, userClaims(USER_B), async (tx) => {
        await tx.query("insert into conversations (title) values ('rolled back')");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    const { rows } = await db.query("select 1 from conversations where title = 'rolled back'");
    expect(rows).toHaveLength(0);
  });
});

describe("data directory lock", () => {
  it("refuses a second holder while the first is alive and takes over a stale lock", () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "elite-lock-")), "pglite");
    const release = acquireDataDirLock(dir);
    expect(() => acquireDataDirLock(dir)).toThrow(DatabaseLockedError);
    expect(() => acquireDataDirLock(dir)).toThrow(/already in use by process \d+/);
    release();
    // A lock left behind by a process that no longer exists is stale.
    fs.writeFileSync(`${dir}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname() }));
    const again = acquireDataDirLock(dir);
    expect(JSON.parse(fs.readFileSync(`${dir}.lock`, "utf8")).pid).toBe(process.pid);
    again();
    expect(fs.existsSync(`${dir}.lock`)).toBe(false);
  });
});

describe("persistence", () => {
  it("keeps the data across a restart and refuses a second opener meanwhile", async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "elite-persist-")), "pglite");
    const first = await openPglite({ dataDir: dir });
    await migrate(first, { local: true });
    await withClaims(first, userClaims(USER_A), (tx) => tx.query("insert into conversations (title) values ('survives')"));
    await expect(openPglite({ dataDir: dir })).rejects.toThrow(DatabaseLockedError);
    await first.close();
    expect(fs.existsSync(`${dir}.lock`)).toBe(false);

    const second = await openPglite({ dataDir: dir });
    try {
      expect((await migrate(second, { local: true })).applied).toEqual([]);
      const { rows } = await second.query<{ title: string; user_id: string }>("select title, user_id from conversations");
      expect(rows).toEqual([{ title: "survives", user_id: USER_A }]);
    } finally {
      await second.close();
    }
  });
});
