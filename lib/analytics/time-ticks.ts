/**
 * Where a time chart's axis puts its labels: on whole UTC hours or days, evenly spaced, at
 * most `max` of them, so that "7 days" reads as days and "24 h" as hours. (A number axis
 * left to itself puts them at round numbers of milliseconds: 02:00, 01:00, 23:00… with no
 * day, going backwards across a week.)
 */
import { fmtBucket } from "./format";
import { DAY, HOUR, type Grain } from "./filters";

/** Steps a tick may take, smallest first: hours within a day or two, then days, weeks, months. */
const STEPS = [1, 2, 3, 6, 12].map((h) => h * HOUR).concat([1, 2, 5, 7, 14, 30, 61, 91, 182, 365].map((d) => d * DAY));

export interface TimeTicks {
  /** tick positions (ms since the epoch, UTC), inside [from, to] */
  ticks: number[];
  /** the spacing chosen (ms) */
  step: number;
}

/** At most `max` ticks on [from, to], on multiples of the smallest step that keeps them that few (a day at least for daily buckets). */
export function timeTicks(from: number, to: number, grain: Grain, max = 8): TimeTicks {
  const lo = Math.min(from, to);
  const hi = Math.max(from, to);
  const steps = grain === "day" ? STEPS.filter((s) => s >= DAY) : STEPS;
  const step = steps.find((s) => Math.floor(hi / s) - Math.ceil(lo / s) + 1 <= max) ?? steps[steps.length - 1];
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) ticks.push(t);
  // A window narrower than one step (a single bucket) still gets its own label.
  if (ticks.length === 0) ticks.push(lo);
  return { ticks, step };
}

/** A tick's label: the day when ticks are a day or more apart, else the hour (the day at midnight). */
export function fmtTick(t: number, grain: Grain, step: number): string {
  return fmtBucket(t, step >= DAY ? "day" : grain);
}
