/**
 * `npm run bench:dashboard`: server time of the dashboard at 10k, 100k and 1M interactions
 * in the embedded database (PGlite, on disk like the app), and the database's size.
 *
 * One database grows through the sizes: the demo history (scripts/seed-demo's generator,
 * 90 days) is bulk-loaded, the rollups rebuilt, then for each time range the whole overview
 * (every query and every prepare function, as the page runs them, under an operator's RLS
 * session) and the heatmap query alone are timed: 3 warm-up runs, then BENCH_RUNS runs,
 * median and p95. Also timed: 200 interactions inserted through the rollup triggers (the
 * cost each chat request pays). Results: printed and written to bench/results/dashboard.json.
 *
 * Env: BENCH_SIZES (default "10000,100000,1000000"), BENCH_RUNS (default 15),
 * BENCH_DIR (default a temp dir, removed at the end unless BENCH_KEEP=1).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execSync } from "node:child_process";
import { openPglite } from "../../lib/db/pglite";
import { migrate } from "../../lib/db/migrate";
import { withClaims } from "../../lib/db/session";
import { bulkLoadHistory, insertHistoryBatch } from "../../lib/db/bulk-history";
import { generateDemoHistory } from "../../lib/analytics/demo-history";
import { buildDashboard } from "../../lib/analytics/dashboard";
import { getModelTaskMatrix } from "../../lib/db/queries/analytics";
import { rangeWindow, RANGES, type Range } from "../../lib/analytics/filters";
import { LOCAL_OPERATOR_CLAIMS } from "../../lib/auth/claims";
import { DEFAULT_ROLE_MODELS, ROLES } from "../../lib/domain";

const SIZES = (process.env.BENCH_SIZES ?? "10000,100000,1000000").split(",").map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const DAYS = 90;
const dir = process.env.BENCH_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "bench-dashboard-"));
const preferredModels = ROLES.map((r) => DEFAULT_ROLE_MODELS[r]);

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { median: Math.round(q(0.5) * 10) / 10, p95: Math.round(q(0.95) * 10) / 10, max: Math.round(s[s.length - 1] * 10) / 10 };
}

async function time(fn: () => Promise<unknown>): Promise<ReturnType<typeof stats>> {
  for (let i = 0; i < 3; i++) await fn();
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return stats(xs);
}

function du(p: string): number {
  try {
    return Number(execSync(`du -sb ${JSON.stringify(p)}`).toString().split("\t")[0]);
  } catch {
    return NaN;
  }
}

async function main() {
  const dataDir = path.join(dir, "pglite");
  const db = await openPglite({ dataDir });
  await migrate(db, { local: true });
  const now = Date.now();
  const results: unknown[] = [];
  let have = 0;
  console.log(`Dashboard benchmark in ${dataDir} (load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")})`);
  try {
    for (const size of SIZES) {
      const add = size - have;
      const t0 = performance.now();
      const load = await bulkLoadHistory(db, generateDemoHistory({ interactions: add, days: DAYS, seed: size, now, batchSize: 2500 }), {
        onProgress: (n) => n % 100_000 === 0 && console.log(`  … ${(have + n).toLocaleString("en")} interactions`),
      });
      have = size;
      const seedS = (performance.now() - t0) / 1000;
      await db.exec("checkpoint; analyze");
      const overview: Record<string, ReturnType<typeof stats>> = {};
      const heatmap: Record<string, ReturnType<typeof stats>> = {};
      for (const range of RANGES as readonly Range[]) {
        const filters = { range, model: null, taskType: null };
        overview[range] = await time(() => withClaims(db, LOCAL_OPERATOR_CLAIMS, (tx) => buildDashboard(tx, { filters, preferredModels, now })));
        const { grain, from } = rangeWindow(range, now);
        heatmap[range] = await time(() => withClaims(db, LOCAL_OPERATOR_CLAIMS, (tx) => getModelTaskMatrix(tx, { grain, from })));
      }
      const filtered = await time(() =>
        withClaims(db, LOCAL_OPERATOR_CLAIMS, (tx) => buildDashboard(tx, { filters: { range: "30d", model: "mathstral", taskType: "math" }, preferredModels, now })),
      );
      // What each chat request pays: 200 interactions through the rollup triggers.
      const [batch] = generateDemoHistory({ interactions: 200, batchSize: 200, days: 1, seed: size + 1, now });
      const t1 = performance.now();
      await insertHistoryBatch(db, batch, { triggersOff: false });
      const triggerMsPerRow = (performance.now() - t1) / batch.interactions.length;
      await db.query("select private.rebuild_analytics_rollups()");
      have += batch.interactions.length;

      const { rows } = await db.query<{ db: string; rollups: string; interactions: string; rollup_rows: string }>(
        `select pg_database_size(current_database())::text as db,
           (pg_total_relation_size('public.interaction_rollups') + pg_total_relation_size('public.fallback_rollups')
             + pg_total_relation_size('public.param_arm_rollups'))::text as rollups,
           pg_total_relation_size('public.interactions')::text as interactions,
           ((select count(*) from interaction_rollups) + (select count(*) from fallback_rollups) + (select count(*) from param_arm_rollups))::text as rollup_rows`,
      );
      const r = {
        interactions: have,
        seed: { seconds: Math.round(seedS), insertSeconds: Math.round(load.insertMs / 1000), rebuildSeconds: Math.round(load.rebuildMs / 100) / 10, rowsPerSecond: Math.round(add / (load.insertMs / 1000)) },
        overviewMs: overview,
        overviewFilteredMs: filtered,
        heatmapQueryMs: heatmap,
        triggerMsPerInteraction: Math.round(triggerMsPerRow * 100) / 100,
        size: {
          databaseBytes: Number(rows[0].db),
          dataDirBytes: du(dataDir),
          interactionsBytes: Number(rows[0].interactions),
          rollupBytes: Number(rows[0].rollups),
          rollupRows: Number(rows[0].rollup_rows),
        },
        loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
      };
      results.push(r);
      console.log(
        `${have.toLocaleString("en")} interactions: overview median ${Object.entries(overview).map(([k, v]) => `${k} ${v.median} ms`).join(", ")}; ` +
          `heatmap ${heatmap["30d"].median} ms (30d), ${heatmap.all.median} ms (all); trigger ${r.triggerMsPerInteraction} ms/row; ` +
          `db ${(r.size.databaseBytes / 2 ** 20).toFixed(0)} MiB (rollups ${(r.size.rollupBytes / 2 ** 20).toFixed(1)} MiB, ${r.size.rollupRows} rows); seeded in ${r.seed.seconds} s`,
      );
      const out = path.resolve(import.meta.dirname, "../results/dashboard.json");
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(
        out,
        `${JSON.stringify({ machine: { cpus: os.cpus().length, node: process.version }, runs: RUNS, days: DAYS, at: new Date().toISOString(), results }, null, 2)}\n`,
      );
    }
  } finally {
    await db.close();
    if (!process.env.BENCH_DIR && process.env.BENCH_KEEP !== "1") fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
