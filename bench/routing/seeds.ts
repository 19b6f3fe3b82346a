/**
 * The replay benchmark over several seeds: one seed's last half moves by a point or two with
 * the order of the requests and the draws, more than most changes to the policy do, so a
 * change is judged on the spread.
 *
 *   npm run bench:routing:seeds -- [--prompts P.jsonl] [--labels L.jsonl] [--seeds 1,2,…,48] [--out result.json] [--with="--pool 400 …"]
 *
 * 48 seeds by default: on the published labels a seed's last half ranges over ten points
 * (one lock-in early in the run costs a seed five to nine), so eight seeds put learned −
 * best single at −0.7 where 48 put it at −1.9.
 *
 * Runs bench/routing/run.ts once per seed (no worlds, no drift check, no latency at scale;
 * `--with` passes its flags on, to try a setting)
 * and reports, over the last half of each run: learned, the static role table (simulated
 * roles only), Thompson sampling per true category (a reference, bench/routing/type-thompson.ts),
 * the best single model (ranked on every item: in hindsight), the best single model ranked on
 * the first half's items only (no hindsight), the per-category and per-item oracles; per seed, their
 * mean and standard deviation, and learned − each best single and learned − the reference paired by seed (mean, standard
 * error, how many seeds learned is at or above it).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { mean, sampleStandardDeviation } from "simple-statistics";
import { MIN_EFFECTIVE_ANSWERS } from "../../lib/learning/routed-log";

/**
 * The replay's strategies, and its references chosen on the first half without hindsight
 * (ReplayResult.firstHalfBestSingle, firstHalfPerCategory, firstHalfPerTaskType): not
 * strategies the replay runs, but read and summarised the same way.
 */
const STRATEGIES = ["learned", "static", "typeThompson", "bestSingle", "firstHalfBestSingle", "firstHalfPerTaskType", "firstHalfPerCategory", "categoryOracle", "itemOracle"] as const;
const FIRST_HALF = ["firstHalfBestSingle", "firstHalfPerTaskType", "firstHalfPerCategory"] as const;
type Strategy = (typeof STRATEGIES)[number];

const { values: args } = parseArgs({
  options: {
    prompts: { type: "string" },
    labels: { type: "string" },
    seeds: { type: "string", default: Array.from({ length: 48 }, (_, i) => i + 1).join(",") },
    out: { type: "string" },
    with: { type: "string", default: "" },
  },
  strict: true,
});
const seeds = args.seeds!.split(",").map((s) => Number(s.trim()));
if (seeds.length < 2 || seeds.some((s) => !Number.isInteger(s))) throw new Error(`--seeds must list two or more whole numbers, got ${args.seeds}`);

const ROOT = path.resolve(import.meta.dirname, "../..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "routing-seeds-"));
type OffPolicy = { value: number | null; actual: number | null; covered: boolean | null; support: number; effectiveN: number };
type RuleArgued = { taskType: string; model: string; estimatedGain: number; trueGain: number | null };
const rows: { seed: number; lastHalf: Partial<Record<Strategy, number>>; explorationRate: number; coldLoads: number; offPolicy: Record<string, OffPolicy>; rulesArgued: RuleArgued[] }[] = [];
try {
  for (const seed of seeds) {
    const out = path.join(tmp, `seed-${seed}.json`);
    const flags = [...(args.prompts ? ["--prompts", args.prompts] : []), ...(args.labels ? ["--labels", args.labels] : []), ...args.with!.split(/\s+/).filter(Boolean)];
    execFileSync(process.execPath, ["--import", "tsx", "bench/routing/run.ts", ...flags, "--seed", String(seed), "--out", out, "--latency-at", "0", "--no-worlds", "--no-drift"], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
    });
    const r = JSON.parse(fs.readFileSync(out, "utf8")) as { strategies: Partial<Record<Strategy, { lastHalf: number }>>; learned: { explorationRate: number; coldLoads: number }; fromLog?: { offPolicy: Record<string, OffPolicy>; rulesArgued: RuleArgued[] } } & Record<(typeof FIRST_HALF)[number], { lastHalf: number }>;
    const strategies = { ...r.strategies, ...Object.fromEntries(FIRST_HALF.map((k) => [k, r[k]])) };
    const lastHalf = Object.fromEntries(STRATEGIES.filter((s) => strategies[s]).map((s) => [s, strategies[s]!.lastHalf]));
    rows.push({ seed, lastHalf, explorationRate: r.learned.explorationRate, coldLoads: r.learned.coldLoads, offPolicy: r.fromLog?.offPolicy ?? {}, rulesArgued: r.fromLog?.rulesArgued ?? [] });
    console.log(`seed ${seed}: ${STRATEGIES.filter((s) => s in lastHalf).map((s) => `${s} ${(100 * lastHalf[s]!).toFixed(1)}`).join("  ")}`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const pts = (x: number) => Math.round(x * 1000) / 10;
const summary = Object.fromEntries(
  STRATEGIES.filter((s) => rows.every((r) => r.lastHalf[s] !== undefined)).map((s) => {
    const xs = rows.map((r) => r.lastHalf[s]!);
    return [s, { mean: pts(mean(xs)), sd: pts(sampleStandardDeviation(xs)) }];
  }),
);
/** What learning cost along the way (whole run): the share of requests sent to a model other than the greedy one, and the cold loads of a model (seconds each on a user's machine; the scores do not count them). */
const learning = {
  explorationPercent: { mean: pts(mean(rows.map((r) => r.explorationRate))), sd: pts(sampleStandardDeviation(rows.map((r) => r.explorationRate))) },
  coldLoads: { mean: Math.round(mean(rows.map((r) => r.coldLoads))), sd: Math.round(sampleStandardDeviation(rows.map((r) => r.coldLoads))) },
};
/** learned − another strategy, paired by seed: mean, standard error, seeds at or above it. */
function paired(other: Strategy) {
  const diffs = rows.map((r) => r.lastHalf.learned! - r.lastHalf[other]!);
  return {
    meanPoints: pts(mean(diffs)),
    standardErrorPoints: pts(sampleStandardDeviation(diffs) / Math.sqrt(diffs.length)),
    seedsAtOrAbove: diffs.filter((d) => d >= 0).length,
    of: diffs.length,
  };
}
const learnedVsBestSingle = paired("bestSingle");
const learnedVsFirstHalfBestSingle = paired("firstHalfBestSingle");
const learnedVsTypeThompson = paired("typeThompson");
/** A strategy's mean over seeds as a percentage of the per-category oracle's. */
const percentOfCategoryOracle = (s: Strategy) => Math.round((mean(rows.map((r) => r.lastHalf[s]!)) / mean(rows.map((r) => r.lastHalf.categoryOracle!))) * 1000) / 10;
const ofCategoryOracle = percentOfCategoryOracle("learned");
/** What learning could reach here, had it seen every model's answer on the first half: per routed task type, per true category. */
const ceilingsOfCategoryOracle = Object.fromEntries(FIRST_HALF.map((s) => [s, percentOfCategoryOracle(s)]));

console.log(`\nlast half over ${rows.length} seeds (mean ± sd, points):`);
for (const [s, v] of Object.entries(summary)) console.log(`  ${s.padEnd(20)} ${v.mean.toFixed(1)} ± ${v.sd.toFixed(1)}`);
console.log(`learned: exploration ${learning.explorationPercent.mean}% ± ${learning.explorationPercent.sd} of requests, ${learning.coldLoads.mean} ± ${learning.coldLoads.sd} cold loads per run`);
console.log(
  `learned − best single, paired by seed: ${learnedVsBestSingle.meanPoints.toFixed(1)} ± ${learnedVsBestSingle.standardErrorPoints.toFixed(1)} points (standard error); ` +
    `at or above it on ${learnedVsBestSingle.seedsAtOrAbove} of ${learnedVsBestSingle.of} seeds; learned = ${ofCategoryOracle}% of the per-category oracle`,
);
console.log(
  `learned − best single ranked on the first half (no hindsight), paired by seed: ${learnedVsFirstHalfBestSingle.meanPoints.toFixed(1)} ± ${learnedVsFirstHalfBestSingle.standardErrorPoints.toFixed(1)} points; ` +
    `at or above it on ${learnedVsFirstHalfBestSingle.seedsAtOrAbove} of ${learnedVsFirstHalfBestSingle.of} seeds`,
);
console.log(
  `with every model's answer on the first half (ceilings for learning from one answer per request), % of the per-category oracle: ` +
    FIRST_HALF.map((s) => `${s} ${ceilingsOfCategoryOracle[s]}%`).join(", "),
);
console.log(
  `learned − Thompson sampling per true category (reference), paired by seed: ${learnedVsTypeThompson.meanPoints.toFixed(1)} ± ${learnedVsTypeThompson.standardErrorPoints.toFixed(1)} points; ` +
    `at or above it on ${learnedVsTypeThompson.seedsAtOrAbove} of ${learnedVsTypeThompson.of} seeds`,
);

/**
 * The dashboard's off-policy estimates checked against the truth, per fixed strategy: how far
 * the estimate from the learned router's log lands from what the strategy truly scored on the
 * requests it covers (mean and mean absolute, points), and how often its 95% interval holds it;
 * for the estimates the dashboard shows (worth MIN_EFFECTIVE_ANSWERS or more) and for all.
 */
function check(judged: OffPolicy[]) {
  const errors = judged.map((v) => v.value! - v.actual!);
  return {
    seeds: judged.length,
    meanErrorPoints: judged.length ? pts(mean(errors)) : null,
    meanAbsoluteErrorPoints: judged.length ? pts(mean(errors.map(Math.abs))) : null,
    intervalHeld: judged.filter((v) => v.covered).length,
    meanSupportPercent: judged.length ? pts(mean(judged.map((v) => v.support))) : null,
  };
}
const offPolicyCheck = Object.fromEntries(
  [...new Set(rows.flatMap((r) => Object.keys(r.offPolicy)))].map((s) => {
    const judged = rows.map((r) => r.offPolicy[s]).filter((v): v is OffPolicy => Boolean(v) && v.value !== null && v.actual !== null);
    return [s, { shown: check(judged.filter((v) => v.effectiveN >= MIN_EFFECTIVE_ANSWERS)), all: check(judged) }];
  }),
);
for (const [s, { shown, all }] of Object.entries(offPolicyCheck))
  console.log(
    `off-policy estimate of ${s} from the learned log vs its true score (covered requests), as the dashboard shows it (worth ≥ ${MIN_EFFECTIVE_ANSWERS} answers): ` +
      `error ${shown.meanErrorPoints} points on average (${shown.meanAbsoluteErrorPoints} absolute); the 95% interval held it on ${shown.intervalHeld} of ${shown.seeds} seeds; ` +
      `it covered ${shown.meanSupportPercent}% of requests. With every estimate: ${all.meanErrorPoints} (${all.meanAbsoluteErrorPoints}), held on ${all.intervalHeld} of ${all.seeds}`,
  );

/** The routing rules the Learning Director would have proposed at the end of each run, and what they are truly worth over the last half. */
const argued = rows.flatMap((r) => r.rulesArgued.filter((x) => x.trueGain !== null));
const rulesCheck = {
  rules: argued.length,
  seedsWithARule: rows.filter((r) => r.rulesArgued.length > 0).length,
  meanEstimatedGainPoints: argued.length ? pts(mean(argued.map((x) => x.estimatedGain))) : null,
  meanTrueGainPoints: argued.length ? pts(mean(argued.map((x) => x.trueGain!))) : null,
  trulyWorse: argued.filter((x) => x.trueGain! < 0).length,
};
console.log(
  `routing rules the Learning Director would propose from the log: ${rulesCheck.rules} over ${rulesCheck.seedsWithARule} of ${rows.length} seeds; ` +
    `estimated +${rulesCheck.meanEstimatedGainPoints ?? "—"} points on average, truly ${rulesCheck.meanTrueGainPoints ?? "—"} over the last half; ${rulesCheck.trulyWorse} truly worse than learned routing`,
);

if (args.out) {
  const out = path.resolve(args.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify(
      {
        generatedBy: "bench/routing/seeds.ts",
        command: `npm run bench:routing:seeds -- ${process.argv.slice(2).join(" ")}`.trim(),
        prompts: args.prompts ?? "bench/routing/data/prompts.jsonl",
        labels: args.labels ?? null,
        with: args.with || null,
        seeds: rows,
        summary,
        learning,
        learnedVsBestSingle,
        learnedVsFirstHalfBestSingle,
        learnedVsTypeThompson,
        learnedOfCategoryOraclePercent: ofCategoryOracle,
        firstHalfOfCategoryOraclePercent: ceilingsOfCategoryOracle,
        offPolicyCheck,
        rulesCheck,
      },
      null,
      1,
    ) + "\n",
  );
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}
