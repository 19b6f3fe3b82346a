/**
 * `npm run bench:routing:api`: published per-model labels through the public API, as an
 * outside check runs them. The labelled models are served by the simulator under Ollama-style
 * tags and added to routing without a role (`PUT /api/routing`, as Settings → Also routed); each prompt goes to
 * `POST /v1/chat/completions` with model `elite` (the official `openai` client), and the
 * answer's verdict, drawn from the label of the model that answered, goes back as thumbs
 * through `POST /api/feedback`. Nothing else teaches the router: no categories, no
 * confirmed task types, no roster models (none of them is installed).
 *
 *   npm run bench:routing:api -- [--prompts P.jsonl] [--labels L.jsonl] [--seeds 1,2,…] [--limit N] [--feedback-rate R] [--out result.json]
 *
 * The order of the requests and the draws are the replay's (bench/routing/replay.ts) for the
 * same seed, so its figures can be set beside `npm run bench:routing:seeds -- --labels …`:
 * learned (the production path), the best single model, the per-category and per-item
 * oracles, over the last half; per seed (each on a fresh database and app), their mean, and
 * learned − best single paired by seed. A labels set must label every model on every item (the API
 * cannot make a model unavailable for one request). Needs a built app (`npm run build`, or
 * NEXT_DIST_DIR); default set: MMLU-Pro (bench/routing/data/mmlu-pro).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import OpenAI from "openai";
import { mean, sampleStandardDeviation } from "simple-statistics";
import { seededRng } from "../../lib/learning/random";
import { normalizeModel } from "../../lib/domain";
import { loadProfiles } from "../../sim/models";
import { seedDatabase, startApp, startSim, stopApp } from "../support/app-under-test";
import { DATA_DIR, loadLabels, loadPrompts } from "./data";
import { categoryOf, firstHalfBestSingle, firstHalfRanked, ranking, rankingPerGroup } from "./baselines";
import { requestOrder } from "./replay";
import { labelledWorld, type World } from "./world";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PORT = Number(process.env.BENCH_APP_PORT ?? 3394);
const DIST_DIR = process.env.NEXT_DIST_DIR || ".next";

const { values: args } = parseArgs({
  options: {
    prompts: { type: "string", default: path.join(DATA_DIR, "mmlu-pro", "prompts.jsonl") },
    labels: { type: "string", default: path.join(DATA_DIR, "mmlu-pro", "labels.jsonl") },
    seeds: { type: "string", default: "1" },
    limit: { type: "string" },
    "feedback-rate": { type: "string", default: "1" },
    out: { type: "string", default: path.join(ROOT, "bench", "results", "routing-api-mmlu-pro.json") },
  },
  strict: true,
});

/** A labelled model's name as an Ollama tag (lower case; anything but letters, digits, . _ - becomes -). */
function tagOf(model: string): string {
  return model.toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "");
}

/** The simulator's profile file: the labelled models (as tags, with the router's speeds) and the embedding model. */
function profilesFor(tags: readonly string[], dir: string): string {
  const base = loadProfiles();
  const like = Object.values(base.simulated)[0];
  const file = path.join(dir, "profiles.json");
  fs.writeFileSync(file, JSON.stringify({ ...base, simulated: Object.fromEntries(tags.map((t) => [t, { ...like, role: "none" }])), published: {} }));
  return file;
}

type SeedRun = {
  seed: number;
  /**
   * bestSingle: ranked on every item (in hindsight); firstHalf*: ranked on the first half's
   * items only, with every model's label there (one model, one per task type as the API
   * classified the request, one per true category: ceilings for learning from one answer per request)
   */
  lastHalf: { learned: number; bestSingle: number; firstHalfBestSingle: number; firstHalfPerTaskType: number; firstHalfPerCategory: number; categoryOracle: number; itemOracle: number };
  explorationRateLastHalf: number;
  seconds: number;
};

async function main() {
  const seeds = args.seeds!.split(",").map((x) => Number(x.trim()));
  const feedbackRate = Number(args["feedback-rate"]);
  if (seeds.some((x) => !Number.isInteger(x))) throw new Error(`--seeds must list whole numbers, got ${args.seeds}`);
  if (!(feedbackRate > 0 && feedbackRate <= 1)) throw new Error(`--feedback-rate must be in (0, 1], got ${args["feedback-rate"]}`);
  const world = labelledWorld(loadPrompts(path.resolve(args.prompts!)), loadLabels(path.resolve(args.labels!)));
  const missing = world.items.findIndex((_, i) => world.models.some((m) => world.prob(i, m) === undefined));
  if (missing !== -1) throw new Error(`item ${world.items[missing].id} has no label for some model: through the API every model must be available for every item`);
  const tags = world.models.map(tagOf);
  if (new Set(tags).size !== tags.length) throw new Error(`two models share a tag: ${tags.join(", ")}`);
  const runs: SeedRun[] = [];
  for (const seed of seeds) runs.push(await runSeed(world, tags, seed, feedbackRate));

  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  const summary = Object.fromEntries(
    (["learned", "bestSingle", "firstHalfBestSingle", "firstHalfPerTaskType", "firstHalfPerCategory", "categoryOracle", "itemOracle"] as const).map((k) => {
      const xs = runs.map((r) => r.lastHalf[k] * 100);
      return [k, { mean: round(mean(xs)), sd: xs.length > 1 ? round(sampleStandardDeviation(xs)) : null }];
    }),
  );
  /** learned − another baseline, paired by seed (points). */
  const paired = (other: "bestSingle" | "firstHalfBestSingle") => {
    const diffs = runs.map((r) => (r.lastHalf.learned - r.lastHalf[other]) * 100);
    return {
      meanPoints: round(mean(diffs)),
      standardErrorPoints: diffs.length > 1 ? round(sampleStandardDeviation(diffs) / Math.sqrt(diffs.length)) : null,
      seedsAtOrAbove: diffs.filter((d) => d >= 0).length,
      of: diffs.length,
    };
  };
  const result = {
    generatedBy: "bench/routing/api.ts",
    command: `npm run bench:routing:api -- ${process.argv.slice(2).join(" ")}`.trim(),
    date: new Date().toISOString(),
    prompts: path.relative(ROOT, path.resolve(args.prompts!)),
    labels: path.relative(ROOT, path.resolve(args.labels!)),
    requests: runs.length ? Math.min(world.items.length, args.limit ? Number(args.limit) : world.items.length) : 0,
    feedbackRate,
    models: Object.fromEntries(world.models.map((m, k) => [m, tags[k]])),
    seeds: runs,
    summary,
    learnedVsBestSingle: paired("bestSingle"),
    learnedVsFirstHalfBestSingle: paired("firstHalfBestSingle"),
    learnedOfCategoryOraclePercent: round((summary.learned.mean / summary.categoryOracle.mean) * 100),
    firstHalfOfCategoryOraclePercent: {
      firstHalfBestSingle: round((summary.firstHalfBestSingle.mean / summary.categoryOracle.mean) * 100),
      firstHalfPerTaskType: round((summary.firstHalfPerTaskType.mean / summary.categoryOracle.mean) * 100),
      firstHalfPerCategory: round((summary.firstHalfPerCategory.mean / summary.categoryOracle.mean) * 100),
    },
  };
  console.log(`\nlast half over ${runs.length} seed(s): learned ${summary.learned.mean.toFixed(1)}%, best single ${summary.bestSingle.mean.toFixed(1)}%, per-category oracle ${summary.categoryOracle.mean.toFixed(1)}%; learned − best single ${result.learnedVsBestSingle.meanPoints} points (${result.learnedVsBestSingle.seedsAtOrAbove} of ${runs.length} seeds at or above); learned − best single ranked on the first half (no hindsight) ${result.learnedVsFirstHalfBestSingle.meanPoints} points; learned / per-category oracle ${result.learnedOfCategoryOraclePercent}%; with every model's answer on the first half, per task type ${result.firstHalfOfCategoryOraclePercent.firstHalfPerTaskType}% and per true category ${result.firstHalfOfCategoryOraclePercent.firstHalfPerCategory}% of it`);
  fs.writeFileSync(path.resolve(args.out!), JSON.stringify(result, null, 1) + "\n");
  console.log(`wrote ${path.relative(process.cwd(), path.resolve(args.out!))}`);
}

async function runSeed(world: World, tags: readonly string[], seed: number, feedbackRate: number): Promise<SeedRun> {
  // Routing keeps full tags ("…:latest"), as Settings writes them.
  const modelOfTag = new Map(tags.map((t, i) => [normalizeModel(t), world.models[i]]));

  // The replay's order and draws for this seed.
  const order = requestOrder(world.items.length, 1, seed).slice(0, args.limit ? Number(args.limit) : undefined);
  const draw = seededRng(seed * 7919 + 17);
  const draws = order.map(() => draw());
  const feedbackRng = seededRng(seed * 101 + 3);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "routing-api-"));
  const dataDir = path.join(ROOT, `.data/bench-routing-api-${PORT}`);
  const sim = await startSim({ timeScale: 0, profilesFile: profilesFor(tags, dir) });
  let app: Awaited<ReturnType<typeof startApp>> | null = null;
  const started = performance.now();
  try {
    // The local operator's key (as `npm run key -- create` makes it); the models are routed through the public API, as an outside check would.
    const key = await seedDatabase(dataDir);
    app = await startApp(dataDir, sim.url, { port: PORT, distDir: DIST_DIR });
    const routed = await fetch(`${app.url}/api/routing`, {
      method: "PUT",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ also_routed: [...tags] }),
    });
    if (!routed.ok) throw new Error(`PUT /api/routing: ${routed.status} ${await routed.text()}`);
    const client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: key, maxRetries: 0 });
    const learned: number[] = [];
    const explored: boolean[] = [];
    /** each item's task type as the API classified it (`elite.task_type`) */
    const taskTypeOf = new Map<number, string>();
    for (const [step, i] of order.entries()) {
      const res = await client.chat.completions.create({ model: "elite", messages: [{ role: "user", content: world.items[i].prompt }] });
      const elite = (res as unknown as { elite?: { interaction_id: string; model: string; task_type: string; means: Record<string, number> | null } }).elite;
      const model = elite ? modelOfTag.get(normalizeModel(elite.model)) : undefined;
      if (!elite || !model) throw new Error(`request ${step}: answered by ${elite?.model ?? "nobody"}, not a labelled model`);
      const p = world.prob(i, model)!;
      learned.push(p);
      taskTypeOf.set(i, elite.task_type);
      // Explored: the model answering is not the one with the highest posterior mean.
      explored.push(Boolean(elite.means && Object.values(elite.means).some((v) => v > elite.means![elite.model])));
      if (feedbackRng() < feedbackRate) {
        const r = await fetch(`${app.url}/api/feedback`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ interaction_id: elite.interaction_id, thumbs: draws[step] < p ? "up" : "down" }),
        });
        if (!r.ok) throw new Error(`feedback ${step}: ${r.status} ${await r.text()}`);
      }
      if ((step + 1) % 100 === 0) process.stdout.write(`${step + 1}/${order.length}\r`);
    }

    const half = Math.floor(order.length / 2);
    const last = order.slice(half);
    const avg = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const round = (x: number) => Math.round(x * 10_000) / 10_000;
    const all = world.items.map((_, i) => i);
    const single = ranking(world, all)[0];
    const categoryRanking = rankingPerGroup(world, all, categoryOf(world));
    const everyModel = world.items.map(() => world.models);
    const lastHalf = {
      learned: round(avg(learned.slice(half))),
      bestSingle: round(avg(last.map((i) => world.prob(i, single)!))),
      firstHalfBestSingle: firstHalfBestSingle(world, order, everyModel).lastHalf,
      firstHalfPerTaskType: firstHalfRanked(world, order, everyModel, (i) => taskTypeOf.get(i)!).lastHalf,
      firstHalfPerCategory: firstHalfRanked(world, order, everyModel, categoryOf(world)).lastHalf,
      categoryOracle: round(avg(last.map((i) => world.prob(i, categoryRanking.get(categoryOf(world)(i))![0])!))),
      itemOracle: round(avg(last.map((i) => Math.max(...world.models.map((m) => world.prob(i, m)!))))),
    };
    const run: SeedRun = { seed, lastHalf, explorationRateLastHalf: round(avg(explored.slice(half).map(Number))), seconds: Math.round((performance.now() - started) / 100) / 10 };
    console.log(`seed ${seed}: ${order.length} requests, ${run.seconds} s; last half: learned ${(lastHalf.learned * 100).toFixed(1)}%, best single (${single}) ${(lastHalf.bestSingle * 100).toFixed(1)}%, ranked on the first half ${(lastHalf.firstHalfBestSingle * 100).toFixed(1)}%, per-category oracle ${(lastHalf.categoryOracle * 100).toFixed(1)}%, per-item oracle ${(lastHalf.itemOracle * 100).toFixed(1)}%`);
    return run;
  } finally {
    await stopApp(app, dataDir);
    sim.child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
