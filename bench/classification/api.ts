/**
 * `npm run bench:classification:api`: the separately written test set and the three probe sets
 * (new users' words, bench/classification/data/probe) through the public API, as an outside
 * check runs it: each request to `POST /v1/chat/completions` with model
 * `elite` (the official `openai` client), the task type read from `elite.task_type`. This is
 * the whole classification path (trained classifier, neighbours, the router model when the
 * cheap voters are unsure), on the built app with the simulator standing in for the models.
 *
 * Needs a built app (`npm run build`, or NEXT_DIST_DIR). Env: BENCH_APP_PORT (3391),
 * NEXT_DIST_DIR (.next). Prints exact and coarse accuracy per set and writes
 * bench/results/classification-api.json. Each set runs on a fresh database, as a new install
 * would meet it (no confirmed past requests to lean on).
 */
import fs from "node:fs";
import path from "node:path";
import OpenAI from "openai";
import { isTaskType, type TaskType } from "../../lib/domain";
import { seedDatabase, startApp, startSim, stopApp } from "../support/app-under-test";
import { coarse, loadSplit } from "./corpus";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PORT = Number(process.env.BENCH_APP_PORT ?? 3391);
const DIST_DIR = process.env.NEXT_DIST_DIR || ".next";

async function main() {
  const results: Record<string, unknown> = {};
  for (const split of ["test", "probe"] as const) results[split] = await throughApi(split);
  const out = path.join(ROOT, "bench/results/classification-api.json");
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

async function throughApi(split: "test" | "probe") {
  const examples = loadSplit(split);
  const sim = await startSim({ timeScale: 0 });
  const dataDir = path.join(ROOT, `.data/bench-classification-${PORT}`);
  let app: Awaited<ReturnType<typeof startApp>> | null = null;
  try {
    const key = await seedDatabase(dataDir);
    app = await startApp(dataDir, sim.url, { port: PORT, distDir: DIST_DIR });
    const client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: key, maxRetries: 0 });
    let exact = 0;
    let coarseHits = 0;
    const perTaskType: Record<string, { n: number; right: number }> = {};
    const perFile: Record<string, { n: number; exact: number; coarse: number }> = {};
    for (const [i, x] of examples.entries()) {
      const res = await client.chat.completions.create({ model: "elite", messages: [{ role: "user", content: x.text }], max_tokens: 16 });
      const elite = (res as unknown as { elite?: { task_type?: string } }).elite;
      const got = elite?.task_type;
      if (!isTaskType(got)) throw new Error(`response ${i} carries no elite.task_type`);
      const row = (perTaskType[x.taskType] ??= { n: 0, right: 0 });
      row.n++;
      const file = (perFile[x.origin] ??= { n: 0, exact: 0, coarse: 0 });
      file.n++;
      if (got === x.taskType) exact++, row.right++, file.exact++;
      if (coarse(got as TaskType) === coarse(x.taskType)) coarseHits++, file.coarse++;
      if ((i + 1) % 40 === 0) process.stdout.write(`${i + 1}/${examples.length}\r`);
    }
    const n = examples.length;
    const result = {
      n,
      exact: exact / n,
      coarse: coarseHits / n,
      perTaskType: Object.fromEntries(Object.entries(perTaskType).map(([t, r]) => [t, { n: r.n, recall: r.right / r.n }])),
      /** each file of the set apart (the probe's files were written by separate hands, in their own voices) */
      perFile: Object.fromEntries(Object.entries(perFile).map(([f, r]) => [f, { n: r.n, exact: r.exact / r.n, coarse: r.coarse / r.n }])),
    };
    console.log(`${split} set through POST /v1/chat/completions: n=${n}, exact ${(result.exact * 100).toFixed(1)}%, coarse ${(result.coarse * 100).toFixed(1)}%`);
    for (const [t, r] of Object.entries(result.perTaskType)) console.log(`  ${t.padEnd(25)} ${(r.recall * 100).toFixed(1)}%`);
    for (const [f, r] of Object.entries(result.perFile)) console.log(`  ${f.padEnd(32)} n=${r.n} exact ${(r.exact * 100).toFixed(1)}%, coarse ${(r.coarse * 100).toFixed(1)}%`);
    return result;
  } finally {
    await stopApp(app, dataDir);
    sim.child.kill();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
