import fs from "node:fs";
import path from "node:path";
import type { Database } from "./types";

export interface MigrationFile {
  version: string;
  name: string;
  sql: string;
}

const FILE_RE = /^(\d{14})_([a-z0-9_]+)\.sql$/;

export function readMigrations(dir = path.join(/* turbopackIgnore: true */ process.cwd(), "supabase", "migrations")): MigrationFile[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => {
      const m = FILE_RE.exec(f);
      if (!m) throw new Error(`Migration file name ${f} must look like <14-digit timestamp>_<name>.sql`);
      return { version: m[1], name: m[2], sql: fs.readFileSync(path.join(dir, f), "utf8") };
    });
}

export function readLocalBootstrap(dir = path.join(/* turbopackIgnore: true */ process.cwd(), "supabase", "local")): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
}

/**
 * Applies pending migrations, each in its own transaction, recording them in the same
 * table the Supabase CLI uses (supabase_migrations.schema_migrations), so the app's runner
 * and `supabase db push` agree on what has been applied.
 * `local: true` (embedded mode) first applies supabase/local/, what Supabase already has.
 */
export async function migrate(
  db: Database,
  opts: { local: boolean; migrations?: MigrationFile[]; log?: (msg: string) => void },
): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => {});
  if (opts.local) for (const sql of readLocalBootstrap()) await db.exec(sql);
  await db.exec(`
    create schema if not exists supabase_migrations;
    create table if not exists supabase_migrations.schema_migrations (
      version text not null primary key,
      statements text[],
      name text
    );
  `);
  const done = new Set(
    (await db.query<{ version: string }>("select version from supabase_migrations.schema_migrations")).rows.map(
      (r) => r.version,
    ),
  );
  const applied: string[] = [];
  for (const m of opts.migrations ?? readMigrations()) {
    if (done.has(m.version)) continue;
    await db.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.query(
        "insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)",
        [m.version, m.name, [m.sql]],
      );
    });
    log(`applied ${m.version}_${m.name}`);
    applied.push(m.version);
  }
  return { applied };
}
