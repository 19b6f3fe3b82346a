/**
 * `npm run db:migrate`: applies supabase/migrations (and, in embedded mode, supabase/local)
 * to the configured database, the same runner the server uses at start.
 */
import path from "node:path";
import { ConfigError, parseEnv } from "../lib/config/env";
import { openPglite } from "../lib/db/pglite";
import { openPostgres } from "../lib/db/postgres";
import { migrate } from "../lib/db/migrate";

async function main() {
  const e = parseEnv();
  const db =
    e.mode === "embedded" ? await openPglite({ dataDir: path.resolve(e.pgliteDataDir) }) : openPostgres(e.databaseUrl!, { max: 1 });
  try {
    const where = e.mode === "embedded" ? `embedded database in ${e.pgliteDataDir}` : "DATABASE_URL";
    const { applied } = await migrate(db, { local: e.mode === "embedded", log: (m) => console.log(`  ${m}`) });
    console.log(applied.length ? `Applied ${applied.length} migration(s) to the ${where}.` : `The ${where} is up to date.`);
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  console.error(e instanceof ConfigError ? e.message : `Migration failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
