/**
 * Routing benchmark (`npm run bench:routing`). Replays the 1,468 routing-bench prompts in a
 * seeded order (3 passes) against simulated models (model-profiles.json "simulated"); the
 * router sees only the prompt text (classifyByFeatures). Compares static role routing, the
 * learned Thompson policy, random and the oracle, with and without a drift halfway (the lead
 * developer's code success drops by 0.3). Writes bench/results/routing.json.
 */
import fs from "node:fs";
import path from "node:path";
import { classifyByFeatures } from "../../lib/orchestrator/features";
import type { TaskType } from "../../lib/orchestrator/domain";
import { DEFAULT_POLICY_OPTIONS } from "../../lib/learning/policy";
import { loadPrompts, loadProfiles } from "./data";
import { evaluateClassifier, formatConfusion } from "./classify";
import { STRATEGIES, adaptationDelay, requestOrder, runScenario, type Drift, type Request, type ScenarioResult, type SimModel } from "./simulate";

const SEEDS = [1, 2, 3, 4, 5];
const PASSES = 3;
const WINDOW = 500;
const CODE_TYPES: readonly TaskType[] = ["code_generation", "debugging", "refactoring_optimization"];

const started = performance.now();
const prompts = loadPrompts();
const profiles = loadProfiles();

const classifier = evaluateClassifier(prompts, profiles, (t) => classifyByFeatures(t).taskType);
const base: Request[] = prompts.map((p) => ({
  id: p.id,
  trueType: profiles.benchmark_category_map[p.category],
  predictedType: classifyByFeatures(p.prompt).taskType,
}));
const models: SimModel[] = Object.entries(profiles.simulated).map(([model, s]) => ({ model, role: s.role, success: s.success }));
const lead = models.find((m) => m.role === "lead_developer")!.model;

type Run = { seed: number; stationary: ScenarioResult; drift: ScenarioResult; driftSpec: Drift; adaptation: Record<"learned" | "static", number | null> };

const runs: Run[] = SEEDS.map((seed) => {
  const requests = requestOrder(base, PASSES, seed);
  const driftSpec: Drift = { at: Math.floor(requests.length / 2), role: "lead_developer", taskTypes: CODE_TYPES, delta: -0.3 };
  const stationary = runScenario({ requests, models, seed, window: WINDOW });
  const drift = runScenario({ requests, models, seed, drift: driftSpec, window: WINDOW });
  return {
    seed,
    stationary,
    drift,
    driftSpec,
    adaptation: {
      learned: adaptationDelay(requests, drift.results.learned.choices, driftSpec, lead),
      static: adaptationDelay(requests, drift.results.static.choices, driftSpec, lead),
    },
  };
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function summarise(pick: (r: Run) => ScenarioResult, postDriftFrom?: (r: Run) => number) {
  return Object.fromEntries(
    STRATEGIES.map((s) => {
      const rs = runs.map((r) => pick(r).results[s]);
      const windows = rs[0].regretPerWindow.map((_, w) => mean(rs.map((r) => r.regretPerWindow[w])));
      const row: Record<string, unknown> = {
        successRate: mean(rs.map((r) => r.successRate)),
        successRateSd: sd(rs.map((r) => r.successRate)),
        cumulativeRegret: mean(rs.map((r) => r.cumulativeRegret)),
        regretPerWindow: windows.map((x) => Math.round(x * 10) / 10),
        successPerWindow: rs[0].successPerWindow.map((_, w) => Math.round(mean(rs.map((r) => r.successPerWindow[w])) * 1000) / 1000),
        explorationRate: mean(rs.map((r) => r.explorationRate)),
        coldLoads: mean(rs.map((r) => r.coldLoads)),
        modelShare: Object.fromEntries(models.map((m) => [m.model, Math.round(mean(rs.map((r) => r.modelShare[m.model])) * 1000) / 1000])),
      };
      if (postDriftFrom) {
        row.successAfterDrift = mean(runs.map((r) => {
          const res = pick(r).results[s];
          const from = postDriftFrom(r);
          const w0 = Math.floor(from / WINDOW);
          return mean(res.successPerWindow.slice(w0 + 1));
        }));
      }
      return [s, row];
    }),
  );
}

const stationary = summarise((r) => r.stationary);
const drift = summarise((r) => r.drift, (r) => r.driftSpec.at);
const adaptation = {
  learnedCodeRequestsToAdapt: runs.map((r) => r.adaptation.learned),
  staticCodeRequestsToAdapt: runs.map((r) => r.adaptation.static),
  definition: `code-type requests after the drift until fewer than half of the last 50 went to ${lead} (null: never)`,
};

const table = (title: string, rows: Record<string, Record<string, unknown>>) => {
  console.log(`\n${title}`);
  console.log("strategy   success (sd)      regret  explore  cold loads  regret per 500 requests");
  for (const s of STRATEGIES) {
    const r = rows[s] as { successRate: number; successRateSd: number; cumulativeRegret: number; explorationRate: number; coldLoads: number; regretPerWindow: number[] };
    console.log(
      `${s.padEnd(10)} ${pct(r.successRate).padStart(6)} (±${pct(r.successRateSd)})  ${r.cumulativeRegret.toFixed(1).padStart(7)}  ${pct(r.explorationRate).padStart(6)}  ${r.coldLoads.toFixed(0).padStart(10)}  ${r.regretPerWindow.join(" ")}`,
    );
  }
};

console.log(`Routing benchmark: ${prompts.length} prompts × ${PASSES} passes = ${runs[0].stationary.n} requests, seeds ${SEEDS.join(",")}`);
console.log(`policy options: ${JSON.stringify(DEFAULT_POLICY_OPTIONS)}; 2 models stay loaded (LRU)`);
console.log("\nClassifier (classifyByFeatures) on routing-bench:");
console.log(formatConfusion(classifier));
table("Stationary (mean over seeds)", stationary);
table(`Drift at request ${runs[0].driftSpec.at}: ${lead} code success −0.3`, drift);
console.log("\nsuccess after the drift:", STRATEGIES.map((s) => `${s} ${pct((drift[s] as { successAfterDrift: number }).successAfterDrift)}`).join(", "));
console.log(`adaptation (${adaptation.definition}): learned ${JSON.stringify(adaptation.learnedCodeRequestsToAdapt)}, static ${JSON.stringify(adaptation.staticCodeRequestsToAdapt)}`);

const out = path.join(import.meta.dirname, "..", "results", "routing.json");
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  JSON.stringify(
    {
      generatedBy: "bench/routing/run.ts",
      requests: runs[0].stationary.n,
      passes: PASSES,
      seeds: SEEDS,
      window: WINDOW,
      policyOptions: DEFAULT_POLICY_OPTIONS,
      classifier: { accuracy: classifier.accuracy, perCategory: classifier.perCategory, confusion: classifier.confusion },
      stationary,
      drift: { spec: { ...runs[0].driftSpec, model: lead }, strategies: drift, adaptation },
      perSeed: runs.map((r) => ({
        seed: r.seed,
        stationary: Object.fromEntries(STRATEGIES.map((s) => [s, r.stationary.results[s].successRate])),
        drift: Object.fromEntries(STRATEGIES.map((s) => [s, r.drift.results[s].successRate])),
        adaptation: r.adaptation,
      })),
    },
    null,
    1,
  ) + "\n",
);
console.log(`\nwrote ${path.relative(process.cwd(), out)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
