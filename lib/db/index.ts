import "server-only";
import path from "node:path";
import { env } from "@/lib/config/env";
import { openPgliteThread } from "./pglite-thread";
import { openPostgres } from "./postgres";
import { migrate } from "./migrate";
import { withClaims } from "./session";
import type { Claims, Database, Queryable } from "./types";

export type { Claims, Database, Queryable } from "./types";

// Next compiles routes, actions and instrumentation into separate module graphs in one
// process: keep the single database handle on globalThis so all of them share it.
const g = globalThis as unknown as { __eliteDb?: Promise<Database> };

async function open(): Promise<Database> {
  const e = env();
  const db =
    e.mode === "embedded"
      ? await openPgliteThread({ dataDir: path.resolve(e.pgliteDataDir) }) // its queries never stop the server's thread
      : openPostgres(e.databaseUrl!);
  await migrate(db, { local: e.mode === "embedded" });
  return db;
}

/** The process's database, opened and migrated on first use. */
export function getDb(): Promise<Database> {
  g.__eliteDb ??= open().catch((err) => {
    g.__eliteDb = undefined; // let a later request retry (e.g. after the other server stops)
    throw err;
  });
  return g.__eliteDb;
}

/** Makes this process use an already open database (tests, scripts, benchmarks). */
export function useDatabase(db: Database): void {
  g.__eliteDb = Promise.resolve(db);
}

/** A user's queries: one transaction under RLS with their verified claims. */
export async function withUser<T>(claims: Claims | null, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return withClaims(await getDb(), claims, fn);
}

/**
 * The server's own path, for the learning code, the job worker and migrations: it runs as
 * the connection's owner role and is NOT subject to RLS. Call it only after the caller has
 * been authorised, or for work no user started (scheduled analysis, experiment checks).
 */
export async function asSystem<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return (await getDb()).transaction(fn);
}

/**
 * The system path for one statement: no BEGIN/COMMIT around it (a statement is atomic by
 * itself), so it costs one round trip, and on the embedded database it holds the single
 * connection only while it runs, not across the server's turns between statements.
 */
export async function asSystemStatement<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
  return fn(await getDb());
}

/**
 * asSystemStatement for what a waiting user's answer depends on: recording the request before
 * its first token, the read its routing needs, recording the answer before its end. On the
 * embedded database these go before the statements already queued (Database.urgent).
 */
export async function asUrgentStatement<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
  return fn((await getDb()).urgent);
}

