/**
 * The worlds of bench/routing/worlds.ts over several seeds, as issue 12 judges them: learned
 * against the static role table where the table is right (at least 99 % of it) and where it is
 * wrong (at least 15 points above it), with how far the per-category oracle is above the table
 * (what any router could gain there at most).
 *
 *   npm run bench:routing:worlds -- [--seeds 1,2,…,48] [--out bench/results/routing-worlds-seeds.json]
 *
 * One process, the replay's own settings (DEFAULT_ROUTER_SETTINGS, the production policy);
 * each seed orders the requests and draws the outcomes anew. Reports, per world and over the
 * last half of each seed: learned − static (mean and standard error, paired by seed), learned
 * as a percentage of static (ratio of the means over seeds), the seeds at or above 99 % of
 * static, the per-category oracle − static, and learned and the per-item oracle against the
 * per-category oracle (learned above it: routing by the request itself gained something no
 * one-model-per-category router can).
 */
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { mean, sampleStandardDeviation } from "simple-statistics";
import { DATA_DIR, loadProfiles, loadPrompts } from "./data";
import { DEFAULT_ROUTER_SETTINGS } from "./replay-router";
import { runWorldSuite, type WorldRow } from "./worlds";

const { values: args } = parseArgs({
  options: {
    seeds: { type: "string", default: Array.from({ length: 48 }, (_, i) => i + 1).join(",") },
    out: { type: "string", default: path.join(import.meta.dirname, "..", "results", "routing-worlds-seeds.json") },
  },
  strict: true,
});
const seeds = args.seeds!.split(",").map((s) => Number(s.trim()));
if (seeds.length < 2 || seeds.some((s) => !Number.isInteger(s))) throw new Error(`--seeds must list two or more whole numbers, got ${args.seeds}`);

const profiles = loadProfiles();
const prompts = loadPrompts(path.join(DATA_DIR, "prompts.jsonl"));
const started = performance.now();
const perSeed: { seed: number; worlds: WorldRow[] }[] = [];
for (const seed of seeds) {
  const worlds = runWorldSuite(prompts, profiles, { ...DEFAULT_ROUTER_SETTINGS, seed, passes: 1 });
  perSeed.push({ seed, worlds });
  console.log(`seed ${seed}: ${worlds.map((w) => `${w.world.split(" (")[0]} ${w.learnedMinusStatic === null ? "–" : (100 * w.learnedMinusStatic).toFixed(1)}`).join("  ")}`);
}

const points = (x: number) => Math.round(x * 1000) / 10;
const summary = perSeed[0].worlds.map((_, k) => {
  const rows = perSeed.map((s) => s.worlds[k]);
  const diffs = rows.map((r) => r.learned - r.static!);
  return {
    world: rows[0].world,
    learnedMinusStaticPoints: points(mean(diffs)),
    standardErrorPoints: points(sampleStandardDeviation(diffs) / Math.sqrt(diffs.length)),
    learnedOfStaticPercent: Math.round((mean(rows.map((r) => r.learned)) / mean(rows.map((r) => r.static!))) * 10_000) / 100,
    seedsAtOrAbove99PercentOfStatic: rows.filter((r) => r.learned >= 0.99 * r.static!).length,
    categoryOracleMinusStaticPoints: points(mean(rows.map((r) => r.categoryOracle - r.static!))),
    learnedMinusCategoryOraclePoints: points(mean(rows.map((r) => r.learned - r.categoryOracle))),
    itemOracleMinusCategoryOraclePoints: points(mean(rows.map((r) => r.itemOracle - r.categoryOracle))),
    explorationRate: Math.round(mean(rows.map((r) => r.explorationRate)) * 1000) / 1000,
    of: rows.length,
  };
});

console.log(`\nlast half over ${seeds.length} seeds:`);
for (const s of summary) {
  console.log(
    `  ${s.world.padEnd(42)} learned − static ${s.learnedMinusStaticPoints.toFixed(1)} ± ${s.standardErrorPoints.toFixed(1)} points (${s.learnedOfStaticPercent}% of static; ` +
      `≥ 99% on ${s.seedsAtOrAbove99PercentOfStatic} of ${s.of} seeds); the per-category oracle is ${s.categoryOracleMinusStaticPoints.toFixed(1)} above static; ` +
      `learned − per-category oracle ${s.learnedMinusCategoryOraclePoints.toFixed(1)} points (the per-item oracle is ${s.itemOracleMinusCategoryOraclePoints.toFixed(1)} above it)`,
  );
}
fs.writeFileSync(
  args.out!,
  JSON.stringify({ generatedBy: "bench/routing/worlds-seeds.ts", command: `npm run bench:routing:worlds -- --seeds ${args.seeds}`, seconds: Math.round((performance.now() - started) / 100) / 10, summary, perSeed }, null, 1) + "\n",
);
console.log(`wrote ${path.relative(process.cwd(), args.out!)}`);
