/**
 * Prepare, then draw: the breakdowns of the dashboard (model × task type heatmap, fallback
 * paths, parameter arms) from rollup rows. Charts decide nothing; a missing value stays
 * missing (null), never zero.
 */
import { TASK_TYPES } from "@/lib/domain";
import type { FallbackPathRow, ModelTaskRow, ParamArmRow } from "../db/queries/analytics";
import { describeFilters, type Filters } from "./filters";
import { orderModels, ratio } from "./prepare";

export interface HeatCell {
  rate: number | null;
  judged: number;
  interactions: number;
}

export interface Heatmap {
  models: string[];
  taskTypes: string[];
  /** cells[modelIndex][taskIndex] */
  cells: HeatCell[][];
  empty: string | null;
}

/** Success rate per model × task type; a pair with no judged answer is null ("no data"). */
export function prepareHeatmap(rows: readonly ModelTaskRow[], ctx: { filters: Filters; models: readonly string[] }): Heatmap {
  const present = new Set(rows.filter((r) => r.interactions > 0).map((r) => r.task_type));
  const taskTypes: string[] = ctx.filters.taskType ? [ctx.filters.taskType] : [...TASK_TYPES];
  if (!ctx.filters.taskType && present.has("")) taskTypes.push("");
  const models = [...ctx.models];
  const cells = models.map((m) =>
    taskTypes.map((tt) => {
      const here = rows.filter((r) => r.model === m && r.task_type === tt);
      const judged = here.reduce((s, r) => s + r.judged, 0);
      return { rate: ratio(here.reduce((s, r) => s + r.successes, 0), judged), judged, interactions: here.reduce((s, r) => s + r.interactions, 0) };
    }),
  );
  const any = cells.some((row) => row.some((c) => c.rate !== null));
  return { models, taskTypes, cells, empty: any ? null : `No finished answers with a known outcome ${describeFilters(ctx.filters)}.` };
}

export interface FallbackPath {
  key: string;
  from: string;
  to: string;
  label: string;
  count: number;
  share: number;
}

export interface FallbackChart {
  paths: FallbackPath[];
  total: number;
  empty: string | null;
}

export const NOBODY_RESCUED = "nobody (request failed)";

/** The busiest fallback paths "failed model → model that then answered", with their share of all fallbacks. */
export function prepareFallbackPaths(rows: readonly FallbackPathRow[], ctx: { filters: Filters; limit?: number }): FallbackChart {
  const total = rows.reduce((s, r) => s + r.count, 0);
  const paths = [...rows]
    .filter((r) => r.count > 0)
    .sort((a, b) => b.count - a.count || a.failed_model.localeCompare(b.failed_model) || a.rescue_model.localeCompare(b.rescue_model))
    .slice(0, ctx.limit ?? 12)
    .map((r, i) => {
      const to = r.rescue_model || NOBODY_RESCUED;
      return { key: `p${i}`, from: r.failed_model || "unknown", to, label: `${r.failed_model || "unknown"} → ${to}`, count: r.count, share: r.count / total };
    });
  return { paths, total, empty: total > 0 ? null : `No fallbacks ${describeFilters(ctx.filters)}: every first choice answered.` };
}

export interface ArmStat {
  arm: string;
  label: string;
  /** A tick-sized label: "0.2 · 1k · 4k" (temperature · tokens · context). */
  short: string;
  n: number;
  successRate: number | null;
  meanReward: number | null;
  meanLatency: number | null;
}

export interface ParamArmsChart {
  models: { model: string; arms: ArmStat[] }[];
  empty: string | null;
}

/** "t0.2 p1024 c4096" → "0.2 · 1k · 4k". */
export function armShort(arm: string): string {
  const m = /^t([\d.]+) p(\d+) c(\d+)$/.exec(arm);
  const k = (n: string) => (Number(n) >= 1024 && Number(n) % 1024 === 0 ? `${Number(n) / 1024}k` : n);
  return m ? `${m[1]} · ${k(m[2])} · ${k(m[3])}` : arm;
}

/** "t0.2 p1024 c4096" → "temp 0.2 · 1024 tok · ctx 4096". */
export function armLabel(arm: string): string {
  const m = /^t([\d.]+) p(\d+) c(\d+)$/.exec(arm);
  return m ? `temp ${m[1]} · ${m[2]} tok · ctx ${m[3]}` : arm;
}

/** Per model, its parameter arms by use, with success rate, mean reward and mean latency. */
export function prepareParamArms(rows: readonly ParamArmRow[], ctx: { filters: Filters; models: readonly string[]; armsPerModel?: number }): ParamArmsChart {
  const models = orderModels(rows.map((r) => r.model), ctx.models).map((model) => ({
    model,
    arms: rows
      .filter((r) => r.model === model && r.interactions > 0)
      .sort((a, b) => b.interactions - a.interactions || a.arm.localeCompare(b.arm))
      .slice(0, ctx.armsPerModel ?? 6)
      .map((r) => ({
        arm: r.arm,
        label: armLabel(r.arm),
        short: armShort(r.arm),
        n: r.interactions,
        successRate: ratio(r.successes, r.judged),
        meanReward: ratio(r.reward_sum, r.judged),
        meanLatency: ratio(r.latency_sum, r.latency_n),
      })),
  }));
  const any = models.some((m) => m.arms.length > 0);
  return { models, empty: any ? null : `No answers recorded their sampling parameters ${describeFilters(ctx.filters)}.` };
}
