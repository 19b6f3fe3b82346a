import fs from "node:fs";
import postgres from "postgres";
import { openPglite } from "../../lib/db/pglite";
import { openPostgres } from "../../lib/db/postgres";
import { migrate } from "../../lib/db/migrate";
import type { Claims, Database } from "../../lib/db/types";

/**
 * The suites run on either database: PGlite by default, or the real PostgreSQL server named
 * by ELITE_TEST_DATABASE_URL (`npm run test:postgres`). Either way each test file gets a
 * fresh database with the real migrations, copied from one migrated template per run.
 */
export const TEST_SERVER_URL = process.env.ELITE_TEST_DATABASE_URL;
export const TEMPLATE_DATABASE = "elite_template";
const TEST_DATABASE_PREFIX = "elite_t_";

/** The URL of another database on the same server. */
export function databaseUrl(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

let admin: postgres.Sql | undefined;
const urls = new WeakMap<Database, string>();

/** The URL of a test database on the PostgreSQL server (null on PGlite, which has no URL). */
export function urlOf(db: Database): string | null {
  return urls.get(db) ?? null;
}
let created = 0;

/** A fresh database with the real migrations applied (copied from the run's template). */
export async function createTestDb(): Promise<Database> {
  if (TEST_SERVER_URL) return createServerTestDb(TEST_SERVER_URL);
  const template = process.env.ELITE_TEST_TEMPLATE;
  if (template && fs.existsSync(template)) {
    return openPglite({ loadDataDir: new Blob([fs.readFileSync(template)]) });
  }
  const db = await openPglite();
  await migrate(db, { local: true });
  return db;
}

async function createServerTestDb(serverUrl: string): Promise<Database> {
  admin ??= postgres(serverUrl, { max: 1, onnotice: () => {} });
  const name = `${TEST_DATABASE_PREFIX}${process.pid}_${++created}`;
  // Copying a template needs it idle; another worker's copy can hold it for a moment.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`create database ${name} template ${TEMPLATE_DATABASE}`);
      break;
    } catch (e) {
      if (attempt >= 50 || !/being accessed by other users/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const url = databaseUrl(serverUrl, name);
  const db = openPostgres(url, { max: 10 });
  const handle: Database = {
    ...db,
    close: async () => {
      await db.close();
      await admin!.unsafe(`drop database if exists ${name} with (force)`);
    },
  };
  urls.set(handle, url);
  return handle;
}

/** Migrates the run's template database on the server (global setup). */
export async function prepareServerTemplate(serverUrl: string): Promise<() => Promise<void>> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const dropTestDatabases = async () => {
    const rows = await sql<{ datname: string }[]>`
      select datname from pg_database where datname like ${TEST_DATABASE_PREFIX + "%"} or datname = ${TEMPLATE_DATABASE}`;
    for (const r of rows) await sql.unsafe(`drop database if exists ${r.datname} with (force)`);
  };
  await dropTestDatabases();
  await sql.unsafe(`create database ${TEMPLATE_DATABASE}`);
  const template = openPostgres(databaseUrl(serverUrl, TEMPLATE_DATABASE), { max: 1 });
  await migrate(template, { local: true });
  await template.close();
  return async () => {
    await dropTestDatabases();
    await sql.end();
  };
}

export const USER_A = "a0000000-0000-4000-8000-00000000000a";
export const USER_B = "b0000000-0000-4000-8000-00000000000b";
export const OPERATOR = "c0000000-0000-4000-8000-00000000000c";

export function userClaims(sub: string, opts: { operator?: boolean } = {}): Claims {
  return {
    sub,
    role: "authenticated",
    aud: "authenticated",
    email: `${sub.slice(0, 8)}@example.test`,
    app_metadata: opts.operator ? { role: "operator", provider: "email" } : { provider: "email" },
  };
}
