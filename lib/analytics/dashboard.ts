import type { Queryable } from "../db/types";
import {
  countImplicitSignals,
  countInterrupted,
  countRunningExperiments,
  getFallbackPaths,
  getModelSeries,
  getModelTaskMatrix,
  getParamArms,
} from "../db/queries/analytics";
import { rangeWindow, type Filters, type Grain } from "./filters";
import {
  orderModels,
  prepareKpis,
  sumSeries,
  prepareLatencySeries,
  prepareLearningCurve,
  prepareRoutingShare,
  prepareSatisfaction,
  type Kpis,
  type TimeChart,
} from "./prepare";
import { prepareFallbackPaths, prepareHeatmap, prepareParamArms, type FallbackChart, type Heatmap, type ParamArmsChart } from "./prepare-breakdowns";
import { routedAnswers } from "../db/queries/routed-answers";
import { prepareRoutingValue, ROUTED_ANSWERS_JUDGED, type RoutingValue } from "./routing-value";

export interface Dashboard {
  filters: Filters;
  grain: Grain;
  from: string | null;
  now: number;
  /** The models the filter offers: the roster's, then any other seen in the window. */
  allModels: string[];
  kpis: Kpis;
  heatmap: Heatmap;
  latency: TimeChart;
  share: TimeChart;
  satisfaction: TimeChart;
  learning: TimeChart;
  fallbacks: FallbackChart;
  arms: ParamArmsChart;
  /**
   * Learned routing against the role table and each model alone, on the answers it routed
   * (the task type filter applies, the model filter does not); null where it is not asked for
   * (a model's own page: there is nothing to compare it with).
   */
  routingValue: RoutingValue | null;
  /** Server time spent reading the rollups and preparing the series. */
  serverMs: number;
}

/**
 * Everything the dashboard shows for these filters, read from the rollups (run it under
 * the caller's RLS session: only operators can read them) and, for what routing is worth,
 * the newest answers the learned policy routed; prepared for the charts.
 */
export async function buildDashboard(
  tx: Queryable,
  { filters, preferredModels = [], now = Date.now(), routingValue = true }: { filters: Filters; preferredModels?: readonly string[]; now?: number; routingValue?: boolean },
): Promise<Dashboard> {
  const t0 = performance.now();
  const { grain, from } = rangeWindow(filters.range, now);
  const f = { grain, from, model: filters.model, taskType: filters.taskType };
  const raw = {
    experiments: await countRunningExperiments(tx),
    matrix: await getModelTaskMatrix(tx, f),
    series: await getModelSeries(tx, f),
    paths: await getFallbackPaths(tx, f),
    arms: await getParamArms(tx, f),
    implicit: await countImplicitSignals(tx, f),
    interrupted: await countInterrupted(tx, f),
    routed: routingValue ? await routedAnswers(tx, { from, taskType: filters.taskType, limit: ROUTED_ANSWERS_JUDGED }) : null,
  };
  const volume = new Map<string, number>();
  for (const r of raw.matrix) volume.set(r.model, (volume.get(r.model) ?? 0) + r.interactions);
  const models = filters.model ? [filters.model] : orderModels(volume.keys(), preferredModels, volume);
  const ctx = { filters, grain, from, now, models };
  // The filter offers the roster's models and every model seen in this window.
  const allModels = orderModels([...preferredModels, ...volume.keys()], preferredModels, volume);
  return {
    filters,
    grain,
    from: from?.toISOString() ?? null,
    now,
    allModels,
    kpis: prepareKpis(sumSeries(raw.series), raw.experiments, raw.implicit, raw.interrupted),
    heatmap: prepareHeatmap(raw.matrix, ctx),
    latency: prepareLatencySeries(raw.series, ctx),
    share: prepareRoutingShare(raw.series, ctx),
    satisfaction: prepareSatisfaction(raw.series, ctx),
    learning: prepareLearningCurve(raw.series, ctx),
    fallbacks: prepareFallbackPaths(raw.paths, { filters }),
    arms: prepareParamArms(raw.arms, ctx),
    routingValue: raw.routed ? prepareRoutingValue(raw.routed) : null,
    serverMs: performance.now() - t0,
  };
}
