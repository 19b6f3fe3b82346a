/**
 * The dashboard's filters: a time range, a model and a task type. They live in the URL
 * (searchParams), so every chart, the export and a shared link follow the same state.
 */
import { z } from "zod";
import { TASK_TYPES, type TaskType } from "@/lib/domain";

export const RANGES = ["24h", "7d", "30d", "all"] as const;
export type Range = (typeof RANGES)[number];
export type Grain = "hour" | "day";

export const RANGE_LABEL: Record<Range, string> = { "24h": "24 h", "7d": "7 days", "30d": "30 days", all: "All time" };

export interface Filters {
  range: Range;
  model: string | null;
  taskType: TaskType | null;
}

export const DEFAULT_FILTERS: Filters = { range: "7d", model: null, taskType: null };

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const blankToUndefined = (v: unknown) => {
  const x = first(v);
  return typeof x === "string" && x.trim() === "" ? undefined : x;
};

const filtersSchema = z.object({
  range: z.preprocess(blankToUndefined, z.enum(RANGES).catch(DEFAULT_FILTERS.range).default(DEFAULT_FILTERS.range)),
  model: z.preprocess(blankToUndefined, z.string().max(200).optional().catch(undefined)),
  task: z.preprocess(blankToUndefined, z.enum(TASK_TYPES).optional().catch(undefined)),
});

/** searchParams → filters; anything unknown falls back to the default instead of failing the page. */
export function parseFilters(params: Record<string, string | string[] | undefined> | URLSearchParams): Filters {
  const obj = params instanceof URLSearchParams ? Object.fromEntries(params.entries()) : params;
  const p = filtersSchema.parse(obj);
  return { range: p.range, model: p.model ?? null, taskType: p.task ?? null };
}

/** filters → query string (without "?"), leaving out defaults. */
export function filtersToQuery(f: Filters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  if (f.range !== DEFAULT_FILTERS.range) q.set("range", f.range);
  if (f.model) q.set("model", f.model);
  if (f.taskType) q.set("task", f.taskType);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function grainMs(grain: Grain): number {
  return grain === "hour" ? HOUR : DAY;
}

/** Start of the UTC hour or day containing t. */
export function truncate(t: number, grain: Grain): number {
  return Math.floor(t / grainMs(grain)) * grainMs(grain);
}

/**
 * The rollup grain a range reads and the first bucket it covers (null = from the start).
 * 24 h and 7 d read hourly buckets, 30 d and all daily ones; the first bucket is the one
 * containing now − range, so the window is whole buckets.
 */
export function rangeWindow(range: Range, now: number): { grain: Grain; from: Date | null; to: Date } {
  const to = new Date(now);
  switch (range) {
    case "24h":
      return { grain: "hour", from: new Date(truncate(now - 24 * HOUR, "hour")), to };
    case "7d":
      return { grain: "hour", from: new Date(truncate(now - 7 * DAY, "hour")), to };
    case "30d":
      return { grain: "day", from: new Date(truncate(now - 30 * DAY, "day")), to };
    case "all":
      return { grain: "day", from: null, to };
  }
}

/** Every bucket start from `from` to `to` (inclusive of the bucket containing `to`). */
export function bucketAxis(grain: Grain, from: number, to: number, max = 2000): number[] {
  const step = grainMs(grain);
  const out: number[] = [];
  for (let t = truncate(from, grain); t <= to && out.length < max; t += step) out.push(t);
  return out;
}

/** A sentence naming the filters, for titles and empty states ("in the last 7 days for mathstral on math"). */
export function describeFilters(f: Filters): string {
  const when = f.range === "all" ? "in all recorded history" : `in the last ${RANGE_LABEL[f.range]}`;
  const who = f.model ? ` for ${f.model}` : "";
  const what = f.taskType ? ` on ${f.taskType.replace(/_/g, " ")} requests` : "";
  return `${when}${who}${what}`;
}
