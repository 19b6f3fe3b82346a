/**
 * Prepare, then draw: pure functions that turn rollup rows into what each chart shows.
 * Charts decide nothing. A missing value stays missing: a bucket with no answers has a
 * null success rate or latency, never zero (null draws as a gap; zero would be a lie).
 */
import type { RollupSums, SeriesRow } from "../db/queries/analytics";
import { bucketAxis, describeFilters, type Filters, type Grain } from "./filters";
import { addHistograms, percentile } from "./latency";

/** a / b, or null when there is nothing to divide by. */
export function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

export interface Kpis {
  interactions: number;
  finished: number;
  failed: number;
  successRate: number | null;
  judged: number;
  satisfaction: number | null;
  rated: number;
  thumbsUpRate: number | null;
  p50: number | null;
  p95: number | null;
  meanLatency: number | null;
  fallbackRate: number | null;
  explorationRate: number | null;
  runningExperiments: number;
  /** what users' next messages said about answers (failed, rephrase, thanks), and broken answers they left (abandoned) */
  implicit: { failed: number; rephrase: number; thanks: number; abandoned: number };
  /** answers cut off because their server stopped (crash recovery), apart from failures */
  interrupted: number;
}

/** The totals of the window: the per-(bucket, model) rows summed (one query fewer than asking again). */
export function sumSeries(rows: readonly RollupSums[]): RollupSums {
  const out: RollupSums = {
    interactions: 0, completed: 0, failed: 0, cancelled: 0, judged: 0, successes: 0, reward_sum: 0, rated: 0, rating_sum: 0,
    thumbs_up: 0, thumbs_down: 0, fallbacks: 0, explored: 0, regenerations: 0, latency_n: 0, latency_sum: 0, hist: addHistograms(null, null),
  };
  for (const r of rows) {
    for (const k of Object.keys(out) as (keyof RollupSums)[]) if (k !== "hist") out[k] += r[k];
    out.hist = addHistograms(out.hist, r.hist);
  }
  return out;
}

export function prepareKpis(t: RollupSums, runningExperiments: number, implicit: Record<string, number> = {}, interrupted = 0): Kpis {
  const finished = t.completed + t.failed;
  return {
    interactions: t.interactions,
    finished,
    failed: t.failed,
    successRate: ratio(t.successes, t.judged),
    judged: t.judged,
    satisfaction: ratio(t.rating_sum, t.rated),
    rated: t.rated,
    thumbsUpRate: ratio(t.thumbs_up, t.thumbs_up + t.thumbs_down),
    p50: percentile(t.hist, 0.5),
    p95: percentile(t.hist, 0.95),
    meanLatency: ratio(t.latency_sum, t.latency_n),
    fallbackRate: ratio(t.fallbacks, finished),
    explorationRate: ratio(t.explored, finished),
    runningExperiments,
    implicit: { failed: implicit.failed ?? 0, rephrase: implicit.rephrase ?? 0, thanks: implicit.thanks ?? 0, abandoned: implicit.abandoned ?? 0 },
    interrupted,
  };
}

export interface Series {
  key: string;
  label: string;
}

export type Point = { t: number } & Record<string, number | null>;

export interface TimeChart {
  grain: Grain;
  points: Point[];
  series: Series[];
  /** Why the chart is empty, or null when it has something to show. */
  empty: string | null;
}

/** Models in a stable order: the preferred order (the roster's) first, then by volume. */
export function orderModels(models: Iterable<string>, preferred: readonly string[] = [], volume: ReadonlyMap<string, number> = new Map()): string[] {
  const set = new Set([...models].filter((m) => m !== ""));
  const first = preferred.filter((m) => set.has(m));
  const rest = [...set].filter((m) => !first.includes(m)).sort((a, b) => (volume.get(b) ?? 0) - (volume.get(a) ?? 0) || a.localeCompare(b));
  return [...first, ...rest];
}

/** Chart-safe keys (model tags contain ":" and ".", which chart libraries read as paths). */
export function seriesFor(models: readonly string[]): Series[] {
  return models.map((m, i) => ({ key: `m${i}`, label: m }));
}

function axisFor(rows: readonly SeriesRow[], grain: Grain, from: Date | null, now: number): number[] {
  const start = from?.getTime() ?? (rows.length ? Math.min(...rows.map((r) => r.bucket.getTime())) : now);
  return bucketAxis(grain, start, now);
}

function byBucket(rows: readonly SeriesRow[]): Map<number, SeriesRow[]> {
  const m = new Map<number, SeriesRow[]>();
  for (const r of rows) {
    const k = r.bucket.getTime();
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

export interface SeriesContext {
  filters: Filters;
  grain: Grain;
  from: Date | null;
  now: number;
  models: readonly string[];
}

/** p50 and p95 latency per model over time (keys p50_mN, p95_mN). */
export function prepareLatencySeries(rows: readonly SeriesRow[], ctx: SeriesContext): TimeChart {
  const series = seriesFor(ctx.models);
  const grouped = byBucket(rows);
  let any = false;
  const points = axisFor(rows, ctx.grain, ctx.from, ctx.now).map((t) => {
    const p: Point = { t };
    const here = grouped.get(t) ?? [];
    for (const s of series) {
      const hist = here.filter((r) => r.model === s.label).reduce<number[] | null>((h, r) => addHistograms(h, r.hist), null);
      p[`p50_${s.key}`] = percentile(hist, 0.5);
      p[`p95_${s.key}`] = percentile(hist, 0.95);
      if (p[`p50_${s.key}`] !== null) any = true;
    }
    return p;
  });
  return { grain: ctx.grain, points, series, empty: any ? null : `No completed answers ${describeFilters(ctx.filters)}, so no latency to show.` };
}

/** Each model's share of the requests routed in each bucket (stacked to 1); null where there were none. */
export function prepareRoutingShare(rows: readonly SeriesRow[], ctx: SeriesContext): TimeChart {
  const series = seriesFor(ctx.models);
  const grouped = byBucket(rows);
  let any = false;
  const points = axisFor(rows, ctx.grain, ctx.from, ctx.now).map((t) => {
    const here = (grouped.get(t) ?? []).filter((r) => r.model !== "");
    const total = here.reduce((s, r) => s + r.interactions, 0);
    const p: Point = { t, total };
    for (const s of series) {
      const n = here.filter((r) => r.model === s.label).reduce((a, r) => a + r.interactions, 0);
      p[s.key] = ratio(n, total);
    }
    if (total > 0) any = true;
    return p;
  });
  return { grain: ctx.grain, points, series, empty: any ? null : `No requests were routed ${describeFilters(ctx.filters)}.` };
}

/** Average stars and the thumbs-up share per bucket, over the filtered models. */
export function prepareSatisfaction(rows: readonly SeriesRow[], ctx: SeriesContext): TimeChart {
  const grouped = byBucket(rows);
  let any = false;
  const points = axisFor(rows, ctx.grain, ctx.from, ctx.now).map((t) => {
    const here = grouped.get(t) ?? [];
    const rated = here.reduce((s, r) => s + r.rated, 0);
    const stars = here.reduce((s, r) => s + r.rating_sum, 0);
    const up = here.reduce((s, r) => s + r.thumbs_up, 0);
    const down = here.reduce((s, r) => s + r.thumbs_down, 0);
    if (rated + up + down > 0) any = true;
    return { t, rating: ratio(stars, rated), thumbsUp: ratio(up, up + down), rated, thumbs: up + down };
  });
  return {
    grain: ctx.grain,
    points,
    series: [
      { key: "rating", label: "Average stars (1–5)" },
      { key: "thumbsUp", label: "Thumbs up share" },
    ],
    empty: any ? null : `Nobody rated or thumbed an answer ${describeFilters(ctx.filters)}.`,
  };
}

/**
 * The learning curve: mean reward per bucket, its rolling mean over `window` buckets
 * (weighted by answers, so a quiet bucket does not swing it) and the exploration rate.
 */
export function prepareLearningCurve(rows: readonly SeriesRow[], ctx: SeriesContext & { window?: number }): TimeChart {
  const window = ctx.window ?? (ctx.grain === "hour" ? 24 : 7);
  const grouped = byBucket(rows);
  const axis = axisFor(rows, ctx.grain, ctx.from, ctx.now);
  const per = axis.map((t) => {
    const here = grouped.get(t) ?? [];
    const sum = (f: (r: SeriesRow) => number) => here.reduce((s, r) => s + f(r), 0);
    return { t, judged: sum((r) => r.judged), reward: sum((r) => r.reward_sum), explored: sum((r) => r.explored), finished: sum((r) => r.completed + r.failed) };
  });
  let any = false;
  const points = per.map((b, i) => {
    const win = per.slice(Math.max(0, i - window + 1), i + 1);
    const judged = win.reduce((s, x) => s + x.judged, 0);
    if (b.finished > 0) any = true;
    return {
      t: b.t,
      reward: ratio(b.reward, b.judged),
      rolling: ratio(win.reduce((s, x) => s + x.reward, 0), judged),
      exploration: ratio(b.explored, b.finished),
    };
  });
  return {
    grain: ctx.grain,
    points,
    series: [
      { key: "rolling", label: `Rolling reward (${window} ${ctx.grain === "hour" ? "hours" : "days"})` },
      { key: "reward", label: "Reward per bucket" },
      { key: "exploration", label: "Exploration rate" },
    ],
    empty: any ? null : `No finished requests ${describeFilters(ctx.filters)}, so nothing was learned.`,
  };
}
