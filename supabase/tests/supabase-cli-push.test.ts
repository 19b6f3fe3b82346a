/**
 * Proves a real Supabase project can take the migrations: the pinned Supabase CLI runs
 * `supabase db push --db-url …` against an in-memory PGlite (with pgvector) served over the
 * Postgres wire protocol by @electric-sql/pglite-socket. The database starts with only
 * supabase/local/ applied, i.e. what a Supabase project already has (roles, the auth and
 * extensions schemas, auth.uid()/auth.jwt()).
 *
 * Gotchas found on the way:
 * - pglite-socket speaks no TLS and the CLI's driver refuses the fallback, so the URL needs
 *   `?sslmode=disable` (without it: "tls error (The server does not support SSL connections)").
 * - One connection at a time (pglite-socket's default `maxConnections: 1`) is enough: the CLI
 *   opens a single connection for `db push`.
 * - The CLI runs as a child process while the server lives in this process, so it must be
 *   spawned asynchronously (spawnSync would block the event loop the server answers on).
 * - It runs with `--workdir` on a temporary copy of the migrations and a temporary HOME, so it
 *   writes its `supabase/.temp/` cache and profile files there and not in the repository.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { openPglite } from "../../lib/db/pglite";
import { migrate, readLocalBootstrap, readMigrations, type MigrationFile } from "../../lib/db/migrate";
import type { Database } from "../../lib/db/types";
import postgres from "postgres";
import { openPostgres } from "../../lib/db/postgres";
import { createTestDb, databaseUrl, TEST_SERVER_URL } from "../../tests/support/db";

const CLI = path.resolve("node_modules/.bin/supabase");
const TIMEOUT = 120_000;

type Served = { db: Database; url: string; stop: () => Promise<void> };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/**
 * A fresh database with what Supabase already has: an empty database on the real PostgreSQL
 * server under `npm run test:postgres`, else an in-memory PGlite listening on a free local port.
 */
async function serveFreshDatabase(): Promise<Served> {
  if (TEST_SERVER_URL) return freshServerDatabase(TEST_SERVER_URL);
  const db = await openPglite();
  for (const sql of readLocalBootstrap()) await db.exec(sql);
  const server = new PGLiteSocketServer({ db: db.pg, host: "127.0.0.1", port: 0 });
  await server.start();
  const port = Number(server.getServerConn().split(":").pop());
  expect(port).toBeGreaterThan(0);
  const served: Served = {
    db,
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
  cleanups.push(served.stop);
  return served;
}

let fresh = 0;
async function freshServerDatabase(serverUrl: string): Promise<Served> {
  const name = `elite_t_push_${process.pid}_${++fresh}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = databaseUrl(serverUrl, name);
  const db = openPostgres(url, { max: 2 });
  for (const sql of readLocalBootstrap()) await db.exec(sql);
  const served: Served = {
    db,
    url: `${url}?sslmode=disable`,
    stop: async () => {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
  cleanups.push(served.stop);
  return served;
}

/** A throwaway Supabase project directory holding exactly these migrations. */
function projectWith(migrations: MigrationFile[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "elite-supabase-cli-"));
  fs.mkdirSync(path.join(dir, "supabase", "migrations"), { recursive: true });
  fs.mkdirSync(path.join(dir, "home"));
  for (const m of migrations) {
    fs.writeFileSync(path.join(dir, "supabase", "migrations", `${m.version}_${m.name}.sql`), m.sql);
  }
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the pinned CLI asynchronously and collects its output. */
function supabase(args: string[], workdir: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI, [...args, "--workdir", workdir], {
      env: {
        ...process.env,
        HOME: path.join(workdir, "home"),
        DO_NOT_TRACK: "1",
        SUPABASE_TELEMETRY_DISABLED: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

const push = (url: string, workdir: string) =>
  supabase(["db", "push", "--db-url", url, "--include-all", "--yes"], workdir);

async function publicTables(db: Database) {
  const { rows } = await db.query<{ relname: string; relrowsecurity: boolean }>(
    `select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' order by c.relname`,
  );
  return rows;
}

async function policies(db: Database) {
  const { rows } = await db.query(
    `select tablename, policyname, cmd, roles::text as roles, qual, with_check
       from pg_policies where schemaname = 'public' order by tablename, policyname`,
  );
  return rows;
}

describe(`supabase db push (pinned CLI) against ${TEST_SERVER_URL ? "the PostgreSQL server" : "PGlite over the wire protocol"}`, () => {
  it(
    "applies every migration, records it where the app's runner looks, and leaves nothing for migrate()",
    async () => {
      const migrations = readMigrations();
      const { db, url } = await serveFreshDatabase();
      const workdir = projectWith(migrations);

      const first = await push(url, workdir);
      expect(first.output).toContain("Finished supabase db push");
      expect(first.code, first.output).toBe(0);
      for (const m of migrations) expect(first.output).toContain(`Applying migration ${m.version}_${m.name}.sql`);

      // The CLI's history table holds every version.
      const { rows: history } = await db.query<{ version: string; name: string }>(
        "select version, name from supabase_migrations.schema_migrations order by version",
      );
      expect(history).toEqual(migrations.map((m) => ({ version: m.version, name: m.name })));

      // The schema is the one the embedded path builds: same tables, RLS on, same policies.
      const reference = await createTestDb();
      cleanups.push(() => reference.close());
      const tables = await publicTables(db);
      expect(tables.length).toBeGreaterThanOrEqual(15);
      expect(tables.filter((t) => !t.relrowsecurity).map((t) => t.relname)).toEqual([]);
      expect(tables).toEqual(await publicTables(reference));
      expect(await policies(db)).toEqual(await policies(reference));
      // Seed rows written by the migrations arrived too (the CLI splits files into statements).
      const { rows: seeded } = await db.query<{ roles: number; production: number }>(
        `select (select count(*)::int from public.model_roles) as roles,
                (select count(*)::int from public.config_labels where label = 'production') as production`,
      );
      expect(seeded[0]).toEqual({ roles: 6, production: 1 });

      // The app's runner agrees on what was applied ...
      expect((await migrate(db, { local: true, migrations })).applied).toEqual([]);
      // ... and so does the CLI on a second push.
      const second = await push(url, workdir);
      expect(second.code, second.output).toBe(0);
      expect(second.output).toContain("Remote database is up to date");
      expect(second.output).not.toContain("Applying migration");
    },
    TIMEOUT,
  );

  it(
    "sees a database migrated by the app's own runner as up to date",
    async () => {
      const migrations = readMigrations();
      const { db, url } = await serveFreshDatabase();
      const { applied } = await migrate(db, { local: true, migrations });
      expect(applied).toEqual(migrations.map((m) => m.version));

      const result = await push(url, projectWith(migrations));
      expect(result.code, result.output).toBe(0);
      expect(result.output).toContain("Remote database is up to date");
      expect(result.output).not.toContain("Applying migration");
    },
    TIMEOUT,
  );
});
