import { describe, expect, it } from "vitest";
import { bucketAxis, rangeWindow } from "../../lib/analytics/filters";
import { isIsolated } from "../../lib/analytics/gaps";
import type { Point } from "../../lib/analytics/prepare";
import { fmtTick, timeTicks } from "../../lib/analytics/time-ticks";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 11, 6, 15, 47); // 6 Dec 2026 15:47 UTC

/** The axis a range's chart spans, as prepare.ts builds it: its buckets from the window's start to now. */
function windowOf(range: "24h" | "7d" | "30d") {
  const { grain, from } = rangeWindow(range, NOW);
  const axis = bucketAxis(grain, from!.getTime(), NOW);
  return { grain, lo: axis[0], hi: axis[axis.length - 1] };
}

describe("time axis ticks", () => {
  it("labels seven days of hourly buckets by day, in order, once each", () => {
    const { grain, lo, hi } = windowOf("7d");
    const { ticks, step } = timeTicks(lo, hi, grain);
    expect(step).toBe(DAY);
    expect(ticks.every((t) => t % DAY === 0 && t >= lo && t <= hi)).toBe(true);
    const labels = ticks.map((t) => fmtTick(t, grain, step));
    expect(labels).toEqual(["30 Nov", "1 Dec", "2 Dec", "3 Dec", "4 Dec", "5 Dec", "6 Dec"]);
  });

  it("labels 24 hours by the hour, a few hours apart, the day at midnight", () => {
    const { grain, lo, hi } = windowOf("24h");
    const { ticks, step } = timeTicks(lo, hi, grain);
    expect(step).toBe(6 * HOUR);
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(ticks.map((t) => fmtTick(t, grain, step))).toEqual(["18:00", "6 Dec 00:00", "06:00", "12:00"]);
  });

  it("spaces daily buckets so that at most eight labels show, and never less than a day apart", () => {
    const { grain, lo, hi } = windowOf("30d");
    const { ticks, step } = timeTicks(lo, hi, grain);
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(step).toBeGreaterThanOrEqual(DAY);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i] - ticks[i - 1]).toBe(step);
    // A year of daily buckets: months apart; two days of daily buckets: a day apart, not hours.
    expect(timeTicks(NOW - 365 * DAY, NOW, "day").step).toBe(61 * DAY);
    expect(timeTicks(NOW - 2 * DAY, NOW, "day").step).toBe(DAY);
  });

  it("gives a single bucket its own label", () => {
    const t = Date.UTC(2026, 11, 6, 15);
    expect(timeTicks(t, t, "hour").ticks).toEqual([t]);
    expect(fmtTick(t, "hour", HOUR)).toBe("15:00");
  });
});

describe("lone values in a series", () => {
  const points: Point[] = [
    { t: 0, a: null, b: 1 },
    { t: 1, a: 0.5, b: 2 },
    { t: 2, a: null, b: null },
    { t: 3, a: 0.7, b: 3 },
    { t: 4, a: 0.8, b: null },
  ];

  it("marks a value with no neighbour on either side, and only those", () => {
    expect(points.map((_, i) => isIsolated(points, i, "a"))).toEqual([false, true, false, false, false]);
    expect(points.map((_, i) => isIsolated(points, i, "b"))).toEqual([false, false, false, true, false]);
  });

  it("marks the only value of a series, at either end", () => {
    expect(isIsolated([{ t: 0, x: 1 }], 0, "x")).toBe(true);
    expect(isIsolated([{ t: 0, x: null }, { t: 1, x: 2 }], 1, "x")).toBe(true);
    expect(isIsolated([{ t: 0, x: 3 }], 0, "y")).toBe(false);
  });
});
