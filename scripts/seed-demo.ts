/**
 * `npm run db:seed-demo -- --interactions N [--days D] [--seed S]`: fills the configured
 * database (embedded by default, PGLITE_DATA_DIR respected; or DATABASE_URL) with a realistic
 * history for the dashboard demo and the benchmark: the five roles, every task type, a router
 * that learns, fallbacks, ratings and drift. Adds to what is there; the rollups are rebuilt.
 * Refuses to run while a server holds the embedded database (stop it first).
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, parseEnv } from "../lib/config/env";
import { DatabaseLockedError } from "../lib/db/data-dir-lock";
import { openPglite } from "../lib/db/pglite";
import { openPostgres } from "../lib/db/postgres";
import { migrate } from "../lib/db/migrate";
import { generateDemoHistory } from "../lib/analytics/demo-history";
import { bulkLoadHistory } from "../lib/db/bulk-history";
import { getRoster } from "../lib/db/queries/roster";
import { DEFAULT_ROLE_MODELS, ROLES, type Role } from "../lib/domain";

class ArgError extends Error {}

function options() {
  const { values } = parseArgs({
    options: {
      interactions: { type: "string", short: "n", default: "10000" },
      days: { type: "string", default: "90" },
      seed: { type: "string", default: "42" },
    },
    strict: true,
  });
  const n = Number(values.interactions);
  const days = Number(values.days);
  const seed = Number(values.seed);
  if (!Number.isInteger(n) || n < 1 || n > 10_000_000) throw new ArgError("--interactions: a whole number from 1 to 10000000.");
  if (!Number.isFinite(days) || days < 1 || days > 3650) throw new ArgError("--days: a number of days from 1 to 3650.");
  if (!Number.isInteger(seed)) throw new ArgError("--seed: a whole number.");
  return { n, days, seed };
}

async function main() {
  const { n, days, seed } = options();
  const e = parseEnv();
  const db =
    e.mode === "embedded" ? await openPglite({ dataDir: path.resolve(e.pgliteDataDir) }) : openPostgres(e.databaseUrl!, { max: 1 });
  const where = e.mode === "embedded" ? `the embedded database in ${e.pgliteDataDir}` : "DATABASE_URL";
  try {
    await migrate(db, { local: e.mode === "embedded" });
    // The roster's tags, so the history names the models this installation uses.
    const roles = { ...DEFAULT_ROLE_MODELS } as Record<Role, string>;
    for (const r of await getRoster(db)) if ((ROLES as readonly string[]).includes(r.role)) roles[r.role as Role] = r.model_tag;
    console.log(`Seeding ${n.toLocaleString("en")} interactions over ${days} days into ${where}…`);
    let last = 0;
    const started = performance.now();
    const r = await bulkLoadHistory(db, generateDemoHistory({ interactions: n, days, seed, roleModels: roles }), {
      onProgress: (done) => {
        if (done - last >= 50_000 || done === n) {
          last = done;
          const s = (performance.now() - started) / 1000;
          console.log(`  ${done.toLocaleString("en")} inserted (${Math.round(done / s).toLocaleString("en")}/s)`);
        }
      },
    });
    console.log(
      `Done: ${r.interactions.toLocaleString("en")} interactions in ${r.conversations.toLocaleString("en")} conversations; ` +
        `insert ${(r.insertMs / 1000).toFixed(1)} s${r.triggersOff ? " (rollup triggers off)" : ""}, rollups rebuilt in ${(r.rebuildMs / 1000).toFixed(1)} s.`,
    );
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  if (e instanceof ConfigError || e instanceof ArgError || e instanceof DatabaseLockedError) console.error(e.message);
  else console.error(`Seeding failed: ${e instanceof Error ? e.stack : e}`);
  process.exit(1);
});
