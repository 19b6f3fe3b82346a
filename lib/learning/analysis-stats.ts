/**
 * The statistics an analysis run reports: success per (model, task type) cell with its 95%
 * credible interval, and the effect size between two groups of outcomes.
 */
import type { AnalysisRow } from "@/lib/db/queries/adaptations";
import { interactionSuccess } from "@/lib/domain";
import { betaMean, credibleInterval, effectSize, posterior, probabilityBGreaterThanAExact } from "./beta";
import { seededRng } from "./random";

export interface CellStats {
  model: string;
  taskType: string;
  n: number;
  successes: number;
  rate: number;
  interval: { lower: number; upper: number };
  failed: number;
}

export const rnd = (x: number) => Math.round(x * 1000) / 1000;

export function interval(successes: number, n: number) {
  const i = credibleInterval(posterior(successes, n));
  return { lower: rnd(i.lower), upper: rnd(i.upper) };
}

/** Success of rows a vs rows b as an effect size (b − a) with its 95% interval. */
export function compare(aS: number, aN: number, bS: number, bN: number, seed: number) {
  const e = effectSize(posterior(aS, aN), posterior(bS, bN), seededRng(seed), { draws: 4000 });
  return { difference: rnd(e.difference), interval: { lower: rnd(e.interval.lower), upper: rnd(e.interval.upper) }, pBetter: rnd(probabilityBGreaterThanAExact(posterior(aS, aN), posterior(bS, bN))) };
}

export function cellStats(rows: AnalysisRow[]): Map<string, CellStats> {
  const cells = new Map<string, CellStats>();
  for (const r of rows) {
    if (!r.model_used || !r.task_type) continue;
    const s = interactionSuccess(r);
    if (s === null) continue;
    const key = `${r.model_used}|${r.task_type}`;
    const c = cells.get(key) ?? { model: r.model_used, taskType: r.task_type, n: 0, successes: 0, rate: 0, interval: { lower: 0, upper: 1 }, failed: 0 };
    c.n++;
    if (s) c.successes++;
    if (r.status === "failed") c.failed++;
    cells.set(key, c);
  }
  for (const c of cells.values()) {
    c.rate = rnd(betaMean(posterior(c.successes, c.n)));
    c.interval = interval(c.successes, c.n);
  }
  return cells;
}
