/**
 * Time-outs learned per model from its own latency (pure). A model that usually answers its
 * first token in 400 ms is not waited on for a minute: its budget is a multiple of the
 * slow end of what it has done, for a cold start (the model had to be loaded) and a warm one
 * separately. Until a model has shown enough answers of a kind, the pool's defaults hold;
 * never more than them.
 */
export interface LatencySample {
  /** request to first token, ms */
  ttftMs: number;
  /** request to last token, ms */
  totalMs: number;
  /** whether the model had to be loaded first */
  cold: boolean;
}

export interface Budget {
  firstTokenMs: number;
  totalMs: number;
  /** how many answers the budget was learned from */
  from: number;
}

/** Answers of a kind (cold or warm) needed before a model's own budget replaces the defaults. */
export const MIN_SAMPLES = 10;
/** The budget is this many times the slow end (p95) of what the model did. */
export const SAFETY = 4;
/** No budget below this: a scheduler hiccup is not a stall. */
export const FLOOR_MS = 2_000;
/** Samples kept per model and kind: the recent past speaks for the model as it is now. */
export const WINDOW = 200;

function quantile(sorted: Float64Array, q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** The learned budget for one model and kind, or null while it has too few answers. */
export function budgetFrom(samples: readonly LatencySample[], cold: boolean, defaults: { firstTokenMs: number; totalMs: number }): Budget | null {
  // The latest WINDOW samples of the kind, into typed arrays: they sort numerically without a
  // comparator, several times faster than Array#sort with one (this runs as answers arrive).
  const ttftAll = new Float64Array(Math.min(WINDOW, samples.length));
  const totalAll = new Float64Array(ttftAll.length);
  let n = 0;
  for (let i = samples.length - 1; i >= 0 && n < WINDOW; i--) {
    if (samples[i].cold !== cold) continue;
    ttftAll[n] = samples[i].ttftMs;
    totalAll[n++] = samples[i].totalMs;
  }
  if (n < MIN_SAMPLES) return null;
  const ttft = ttftAll.subarray(0, n).sort();
  const total = totalAll.subarray(0, n).sort();
  const firstTokenMs = Math.round(Math.min(defaults.firstTokenMs, Math.max(FLOOR_MS, SAFETY * quantile(ttft, 0.95))));
  const totalMs = Math.round(Math.min(defaults.totalMs, Math.max(firstTokenMs, FLOOR_MS, SAFETY * quantile(total, 0.95))));
  return { firstTokenMs, totalMs, from: n };
}
