import { describe, expect, it } from "vitest";
import { addHistograms, bucketEdges, latencyBucket, LATENCY_BUCKETS, percentile } from "../../lib/analytics/latency";
import { bucketAxis, describeFilters, filtersToQuery, parseFilters, rangeWindow, type Filters } from "../../lib/analytics/filters";
import { armLabel, armShort, NOBODY_RESCUED, prepareFallbackPaths, prepareHeatmap, prepareParamArms } from "../../lib/analytics/prepare-breakdowns";
import {
  orderModels,
  prepareKpis,
  prepareLatencySeries,
  prepareLearningCurve,
  prepareRoutingShare,
  prepareSatisfaction,
  ratio,
  sumSeries,
  type SeriesContext,
} from "../../lib/analytics/prepare";
import type { RollupSums, SeriesRow } from "../../lib/db/queries/analytics";
import { csvField, csvLine } from "../../lib/analytics/export";
import { fmtBucket, fmtMs, fmtPct } from "../../lib/analytics/format";

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 27, 12, 30);
const ALL: Filters = { range: "24h", model: null, taskType: null };

function hist(latencies: number[]): number[] {
  const h = new Array(LATENCY_BUCKETS).fill(0);
  for (const ms of latencies) h[latencyBucket(ms) - 1]++;
  return h;
}

function sums(p: Partial<RollupSums> = {}): RollupSums {
  return {
    interactions: 0, completed: 0, failed: 0, cancelled: 0, judged: 0, successes: 0, reward_sum: 0, rated: 0, rating_sum: 0,
    thumbs_up: 0, thumbs_down: 0, fallbacks: 0, explored: 0, regenerations: 0, latency_n: 0, latency_sum: 0,
    hist: new Array(LATENCY_BUCKETS).fill(0), ...p,
  };
}

function row(bucketMs: number, model: string, p: Partial<RollupSums> = {}): SeriesRow {
  return { ...sums(p), bucket: new Date(bucketMs), model };
}

const BASE = Date.UTC(2026, 10, 27, 12); // the bucket containing NOW
const ctx = (over: Partial<SeriesContext & { window: number }> = {}): SeriesContext & { window?: number } => ({
  filters: ALL,
  grain: "hour",
  from: new Date(BASE - 3 * HOUR),
  now: NOW,
  models: ["a", "b"],
  ...over,
});

describe("latency histogram", () => {
  it("puts each latency into the bucket whose edges hold it", () => {
    for (const ms of [11, 37, 250, 999, 1234, 4321, 29_000, 100_000]) {
      const k = latencyBucket(ms);
      const [lo, hi] = bucketEdges(k);
      expect(ms).toBeGreaterThanOrEqual(lo);
      expect(ms).toBeLessThan(hi);
    }
    expect(latencyBucket(0)).toBe(1);
    expect(latencyBucket(1e9)).toBe(LATENCY_BUCKETS);
  });

  it("reads percentiles within a bucket's width of the exact value", () => {
    const values = Array.from({ length: 1000 }, (_, i) => 200 + i * 37); // 200 ms … 37 s
    const h = hist(values);
    const exact = (p: number) => values[Math.ceil(p * values.length) - 1];
    for (const p of [0.5, 0.95, 0.99]) {
      const got = percentile(h, p)!;
      expect(got / exact(p)).toBeGreaterThan(2 ** (-1 / 3));
      expect(got / exact(p)).toBeLessThan(2 ** (1 / 3));
    }
    expect(percentile(h, 0.5)!).toBeLessThan(percentile(h, 0.95)!);
  });

  it("has no percentile without answers (null, not zero)", () => {
    expect(percentile(new Array(LATENCY_BUCKETS).fill(0), 0.5)).toBeNull();
    expect(percentile(null, 0.95)).toBeNull();
  });

  it("adds histograms element-wise", () => {
    expect(addHistograms(hist([100, 100]), hist([100, 5000]))[latencyBucket(100) - 1]).toBe(3);
    expect(addHistograms(null, hist([5000]))[latencyBucket(5000) - 1]).toBe(1);
  });
});

describe("filters", () => {
  it("parses the URL, falling back to defaults for anything unknown", () => {
    expect(parseFilters({ range: "30d", model: "mathstral", task: "math" })).toEqual({ range: "30d", model: "mathstral", taskType: "math" });
    expect(parseFilters({ range: "1y", task: "poetry", model: "" })).toEqual({ range: "7d", model: null, taskType: null });
    expect(parseFilters(new URLSearchParams("range=all&task=debugging"))).toEqual({ range: "all", model: null, taskType: "debugging" });
  });

  it("round-trips through the query string, leaving out defaults", () => {
    const f: Filters = { range: "24h", model: "deepseek-coder:6.7b", taskType: "debugging" };
    expect(parseFilters(new URLSearchParams(filtersToQuery(f)))).toEqual(f);
    expect(filtersToQuery({ range: "7d", model: null, taskType: null })).toBe("");
  });

  it("maps ranges to whole buckets of the right grain", () => {
    expect(rangeWindow("24h", NOW)).toMatchObject({ grain: "hour", from: new Date(BASE - 24 * HOUR) });
    expect(rangeWindow("30d", NOW).grain).toBe("day");
    expect(rangeWindow("30d", NOW).from!.getTime() % (24 * HOUR)).toBe(0);
    expect(rangeWindow("all", NOW).from).toBeNull();
    expect(bucketAxis("hour", BASE - 2 * HOUR + 5, NOW)).toEqual([BASE - 2 * HOUR, BASE - HOUR, BASE]);
  });

  it("describes the filters in words", () => {
    expect(describeFilters({ range: "all", model: "mathstral", taskType: "code_generation" })).toBe(
      "in all recorded history for mathstral on code generation requests",
    );
  });
});

describe("overview figures", () => {
  it("computes rates from the sums", () => {
    const k = prepareKpis(
      sums({ interactions: 10, completed: 8, failed: 2, judged: 10, successes: 7, rated: 4, rating_sum: 14, thumbs_up: 3, thumbs_down: 1, fallbacks: 1, explored: 2, hist: hist([1000, 2000, 3000]) }),
      2,
    );
    expect(k).toMatchObject({ interactions: 10, finished: 10, successRate: 0.7, satisfaction: 3.5, thumbsUpRate: 0.75, fallbackRate: 0.1, explorationRate: 0.2, runningExperiments: 2 });
    expect(k.p50! / 2000).toBeGreaterThan(0.79);
    expect(k.p50! / 2000).toBeLessThan(1.26);
  });

  it("sums the per-bucket rows into the window's totals, histograms included", () => {
    const t = sumSeries([
      row(BASE, "a", { interactions: 2, successes: 1, reward_sum: 0.5, hist: hist([100]) }),
      row(BASE - HOUR, "b", { interactions: 3, successes: 2, reward_sum: 0.25, hist: hist([100, 9000]) }),
    ]);
    expect(t).toMatchObject({ interactions: 5, successes: 3, reward_sum: 0.75, completed: 0 });
    expect(t.hist[latencyBucket(100) - 1]).toBe(2);
    expect(t.hist.reduce((s, n) => s + n, 0)).toBe(3);
  });

  it("keeps unknowns null instead of zero", () => {
    const k = prepareKpis(sums({ interactions: 3 }), 0);
    expect(k).toMatchObject({ successRate: null, satisfaction: null, thumbsUpRate: null, p50: null, p95: null, fallbackRate: null, explorationRate: null });
    expect(ratio(0, 5)).toBe(0);
    expect(ratio(5, 0)).toBeNull();
  });
});

describe("time series", () => {
  const rows = [
    row(BASE - 3 * HOUR, "a", { interactions: 3, completed: 3, judged: 3, successes: 3, reward_sum: 2.4, rated: 1, rating_sum: 5, hist: hist([1000, 1000, 1000]) }),
    row(BASE - 3 * HOUR, "b", { interactions: 1, completed: 1, judged: 1, successes: 0, reward_sum: 0.1, explored: 1, hist: hist([8000]) }),
    // BASE - 2h: nothing at all
    row(BASE - HOUR, "a", { interactions: 2, completed: 1, failed: 1, judged: 2, successes: 1, reward_sum: 0.7, thumbs_up: 1, thumbs_down: 1, hist: hist([2000]) }),
  ];

  it("routing share sums to one per bucket and is null where nothing was routed", () => {
    const share = prepareRoutingShare(rows, ctx());
    expect(share.points.map((p) => p.t)).toEqual([BASE - 3 * HOUR, BASE - 2 * HOUR, BASE - HOUR, BASE]);
    expect(share.points[0]).toMatchObject({ m0: 0.75, m1: 0.25, total: 4 });
    expect(share.points[1]).toMatchObject({ m0: null, m1: null, total: 0 });
    expect(share.points[2]).toMatchObject({ m0: 1, m1: 0 });
    expect(share.series).toEqual([{ key: "m0", label: "a" }, { key: "m1", label: "b" }]);
    expect(share.empty).toBeNull();
  });

  it("latency per model has gaps where a model did not answer", () => {
    const lat = prepareLatencySeries(rows, ctx());
    expect(lat.points[0].p50_m0).not.toBeNull();
    expect(lat.points[0].p50_m1! > lat.points[0].p50_m0!).toBe(true);
    expect(lat.points[1].p50_m0).toBeNull();
    expect(lat.points[2].p95_m1).toBeNull();
  });

  it("satisfaction: stars and thumbs per bucket, null without feedback", () => {
    const s = prepareSatisfaction(rows, ctx());
    expect(s.points[0]).toMatchObject({ rating: 5, thumbsUp: null, rated: 1 });
    expect(s.points[1]).toMatchObject({ rating: null, thumbsUp: null });
    expect(s.points[2]).toMatchObject({ rating: null, thumbsUp: 0.5 });
  });

  it("learning curve: rolling reward weighted by answers, exploration per bucket", () => {
    const l = prepareLearningCurve(rows, ctx({ window: 3 }));
    expect(l.points[0].reward).toBeCloseTo(2.5 / 4);
    expect(l.points[0].exploration).toBeCloseTo(0.25);
    expect(l.points[1]).toMatchObject({ reward: null, exploration: null });
    expect(l.points[1].rolling).toBeCloseTo(2.5 / 4); // carried by the window, not a zero
    expect(l.points[2].rolling).toBeCloseTo(3.2 / 6);
    expect(l.points[3].rolling).toBeCloseTo(0.7 / 2); // the first bucket left the window
  });

  it("says why a chart is empty", () => {
    const f: Filters = { range: "24h", model: "mathstral", taskType: "math" };
    expect(prepareRoutingShare([], ctx({ filters: f })).empty).toMatch(/No requests were routed in the last 24 h for mathstral on math requests/);
    expect(prepareLatencySeries([], ctx()).empty).toMatch(/No completed answers/);
    expect(prepareSatisfaction(rows.map((r) => ({ ...r, rated: 0, thumbs_up: 0, thumbs_down: 0 })), ctx()).empty).toMatch(/Nobody rated/);
  });

  it("starts an all-time axis at the first bucket with data", () => {
    const s = prepareRoutingShare(rows, ctx({ from: null }));
    expect(s.points[0].t).toBe(BASE - 3 * HOUR);
  });
});

describe("heatmap, fallbacks, parameter arms", () => {
  it("heatmap: a pair without judged answers is null, not 0 %", () => {
    const h = prepareHeatmap(
      [
        { model: "a", task_type: "math", interactions: 4, judged: 4, successes: 3, reward_sum: 2 },
        { model: "a", task_type: "debugging", interactions: 2, judged: 0, successes: 0, reward_sum: 0 },
        { model: "b", task_type: "math", interactions: 1, judged: 1, successes: 0, reward_sum: 0 },
      ],
      { filters: ALL, models: ["a", "b"] },
    );
    const col = (t: string) => h.taskTypes.indexOf(t);
    expect(h.cells[0][col("math")]).toEqual({ rate: 0.75, judged: 4, interactions: 4 });
    expect(h.cells[0][col("debugging")]).toEqual({ rate: null, judged: 0, interactions: 2 });
    expect(h.cells[1][col("math")].rate).toBe(0);
    expect(h.cells[1][col("general")].rate).toBeNull();
    expect(h.empty).toBeNull();
  });

  it("heatmap follows the task filter and is empty without outcomes", () => {
    const h = prepareHeatmap([], { filters: { ...ALL, taskType: "math" }, models: [] });
    expect(h.taskTypes).toEqual(["math"]);
    expect(h.empty).toMatch(/No finished answers/);
  });

  it("fallback paths: busiest first with their share; unanswered paths named", () => {
    const fb = prepareFallbackPaths(
      [
        { failed_model: "a", rescue_model: "b", count: 6 },
        { failed_model: "b", rescue_model: "", count: 2 },
        { failed_model: "c", rescue_model: "a", count: 12 },
      ],
      { filters: ALL, limit: 2 },
    );
    expect(fb.total).toBe(20);
    expect(fb.paths.map((p) => p.label)).toEqual(["c → a", "a → b"]);
    expect(fb.paths[0].share).toBeCloseTo(0.6);
    expect(prepareFallbackPaths([{ failed_model: "b", rescue_model: "", count: 1 }], { filters: ALL }).paths[0].to).toBe(NOBODY_RESCUED);
    expect(prepareFallbackPaths([], { filters: ALL }).empty).toMatch(/No fallbacks/);
  });

  it("parameter arms: per model, by use, rates null without judged answers", () => {
    const arms = prepareParamArms(
      [
        { model: "b", arm: "t0.2 p1024 c4096", interactions: 10, judged: 8, successes: 6, reward_sum: 5, latency_n: 10, latency_sum: 20_000 },
        { model: "b", arm: "t0.5 p2048 c8192", interactions: 30, judged: 0, successes: 0, reward_sum: 0, latency_n: 0, latency_sum: 0 },
        { model: "a", arm: "t0.8 p512 c4096", interactions: 1, judged: 1, successes: 1, reward_sum: 1, latency_n: 1, latency_sum: 900 },
      ],
      { filters: ALL, models: ["a", "b"] },
    );
    expect(arms.models.map((m) => m.model)).toEqual(["a", "b"]);
    expect(arms.models[1].arms.map((a) => a.arm)).toEqual(["t0.5 p2048 c8192", "t0.2 p1024 c4096"]);
    expect(arms.models[1].arms[0]).toMatchObject({ successRate: null, meanReward: null, meanLatency: null });
    expect(arms.models[1].arms[1]).toMatchObject({ successRate: 0.75, meanReward: 0.625, meanLatency: 2000 });
    expect(armLabel("t0.2 p1024 c4096")).toBe("temp 0.2 · 1024 tok · ctx 4096");
    expect(armShort("t0.5 p512 c8192")).toBe("0.5 · 512 · 8k");
  });

  it("orders models: preferred (roster) first, then by volume", () => {
    expect(orderModels(["z", "y", "x", ""], ["x", "q"], new Map([["y", 1], ["z", 5]]))).toEqual(["x", "z", "y"]);
  });
});

describe("formatting and CSV", () => {
  it("formats missing values as a dash", () => {
    expect(fmtPct(null)).toBe("—");
    expect(fmtMs(null)).toBe("—");
    expect(fmtMs(1500)).toBe("1.50 s");
    expect(fmtBucket(BASE, "hour")).toBe("12:00");
    expect(fmtBucket(BASE, "day")).toBe("27 Nov");
  });

  it("quotes CSV fields and defuses formulas", () => {
    expect(csvField('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvField("=SUM(A1:A9)")).toBe("'=SUM(A1:A9)");
    expect(csvField(-3)).toBe("-3");
    expect(csvField(null)).toBe("");
    expect(csvLine(["a", 1, true, null])).toBe("a,1,true,\r\n");
  });
});
