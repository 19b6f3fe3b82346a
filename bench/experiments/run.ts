/**
 * Experiment statistics by simulation (`npm run bench:experiments`). Runs many simulated A/B
 * experiments through the same decision rule the experiment monitor uses
 * (lib/learning/experiment-stats.ts `decide`, called after every outcome as the monitor is):
 * - no true difference (both arms succeed at p): how often is the variant promoted? (≤ 5%)
 * - a true difference of 15 points (p vs p + 0.15): how often is it promoted? (power ≥ 80%)
 * Arms are assigned at random 50/50, outcomes are Bernoulli draws; default design: min 40
 * samples per arm, 4 looks, thresholds 0.95 / 0.05. Writes bench/results/experiments.json.
 */
import fs from "node:fs";
import path from "node:path";
import { seededRng, type Rng } from "../../lib/learning/random";
import { credibleInterval, posterior, betaMean } from "../../lib/learning/beta";
import { DEFAULT_DESIGN, DEFAULT_GUARDRAILS, decide, type ArmSummary, type Design } from "../../lib/learning/experiment-stats";

const RUNS = Number(process.env.BENCH_RUNS ?? 2000);
const BASELINES = [0.5, 0.6, 0.7];

function arm(n: number, successes: number): ArmSummary {
  const post = posterior(successes, n);
  return { n, successes, errors: 0, errorRate: 0, p95Ms: null, posterior: post, mean: betaMean(post), interval: credibleInterval(post) };
}

type Outcome = "promote" | "stop";

export function simulateExperiment(rng: Rng, pControl: number, pVariant: number, design: Design): { outcome: Outcome; samples: number } {
  const c = { n: 0, s: 0 };
  const v = { n: 0, s: 0 };
  let lastLook = 0;
  for (let i = 0; i < 100_000; i++) {
    const variant = rng() < 0.5;
    const a = variant ? v : c;
    a.n++;
    if (rng() < (variant ? pVariant : pControl)) a.s++;
    const verdict = decide({ control: arm(c.n, c.s), variant: arm(v.n, v.s), design, guardrails: DEFAULT_GUARDRAILS, lastLook, elapsedMs: 0, maxDurationMs: Infinity });
    if (verdict.action === "promote" || verdict.action === "stop") return { outcome: verdict.action, samples: c.n + v.n };
    lastLook = verdict.look;
  }
  throw new Error("experiment never ended");
}

function rate(results: { outcome: Outcome }[]) {
  return results.filter((r) => r.outcome === "promote").length / results.length;
}

const started = performance.now();
const design = DEFAULT_DESIGN;
const rows = BASELINES.map((p, i) => {
  const nullRuns = Array.from({ length: RUNS }, (_, k) => simulateExperiment(seededRng(1_000_003 * (i + 1) + k), p, p, design));
  const altRuns = Array.from({ length: RUNS }, (_, k) => simulateExperiment(seededRng(2_000_003 * (i + 1) + k), p, p + 0.15, design));
  const mean = (xs: { samples: number }[]) => Math.round(xs.reduce((s, x) => s + x.samples, 0) / xs.length);
  return {
    baseline: p,
    falsePromotionRate: rate(nullRuns),
    power15: rate(altRuns),
    meanSamplesNull: mean(nullRuns),
    meanSamplesAlt: mean(altRuns),
  };
});
const worstFalse = Math.max(...rows.map((r) => r.falsePromotionRate));
const worstPower = Math.min(...rows.map((r) => r.power15));
const result = {
  date: new Date().toISOString(),
  runsPerCell: RUNS,
  design,
  rows,
  worstFalsePromotionRate: worstFalse,
  worstPower15: worstPower,
  pass: worstFalse <= 0.05 && worstPower >= 0.8,
  seconds: Math.round((performance.now() - started) / 100) / 10,
};
for (const r of rows) {
  console.log(`baseline ${r.baseline}: false promotions ${(r.falsePromotionRate * 100).toFixed(1)}%, power at +15 points ${(r.power15 * 100).toFixed(1)}% (mean samples ${r.meanSamplesNull} / ${r.meanSamplesAlt})`);
}
console.log(`worst false promotion rate ${(worstFalse * 100).toFixed(1)}% (≤ 5%), worst power ${(worstPower * 100).toFixed(1)}% (≥ 80%): ${result.pass ? "PASS" : "FAIL"}`);
if (!process.env.BENCH_NO_WRITE) {
  fs.mkdirSync(path.resolve("bench/results"), { recursive: true });
  fs.writeFileSync(path.resolve("bench/results/experiments.json"), `${JSON.stringify(result, null, 2)}\n`);
}
if (!result.pass) process.exitCode = 1;
