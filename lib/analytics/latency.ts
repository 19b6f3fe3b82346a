/**
 * Latency percentiles from fixed log-spaced histogram buckets: three buckets per doubling
 * from 10 ms, 48 in all (≈ 10 ms … 9 min). The database (private.latency_bucket) sorts each
 * answer into the same buckets, so percentiles come from summed counts, never raw rows.
 */
export const LATENCY_BUCKETS = 48;
const BASE_MS = 10;
const PER_DOUBLING = 3;

/** 1-based bucket of a latency in ms, as private.latency_bucket computes it. */
export function latencyBucket(ms: number): number {
  const k = Math.floor((PER_DOUBLING * Math.log(Math.max(ms, BASE_MS) / BASE_MS)) / Math.LN2) + 1;
  return Math.min(LATENCY_BUCKETS, Math.max(1, k));
}

/** Lower and upper edge (ms) of bucket k (1-based). */
export function bucketEdges(k: number): [number, number] {
  return [BASE_MS * 2 ** ((k - 1) / PER_DOUBLING), BASE_MS * 2 ** (k / PER_DOUBLING)];
}

/** Adds histograms element by element (a missing histogram counts as none). */
export function addHistograms(a: readonly number[] | null | undefined, b: readonly number[] | null | undefined): number[] {
  const out = new Array<number>(LATENCY_BUCKETS).fill(0);
  for (let i = 0; i < LATENCY_BUCKETS; i++) out[i] = Number(a?.[i] ?? 0) + Number(b?.[i] ?? 0);
  return out;
}

/**
 * The p-quantile (0 < p < 1) of the latencies a histogram counts, interpolated
 * geometrically inside the bucket it falls in. null when the histogram is empty:
 * no answers means no latency, not a latency of zero.
 */
export function percentile(hist: readonly number[] | null | undefined, p: number): number | null {
  if (!hist) return null;
  const total = hist.reduce((s, n) => s + Number(n), 0);
  if (total <= 0) return null;
  const target = p * total;
  let cum = 0;
  for (let i = 0; i < hist.length; i++) {
    const n = Number(hist[i]);
    if (n <= 0) continue;
    if (cum + n >= target) {
      const [lo, hi] = bucketEdges(i + 1);
      const frac = Math.min(1, Math.max(0, (target - cum) / n));
      return lo * (hi / lo) ** frac;
    }
    cum += n;
  }
  return bucketEdges(hist.length)[1];
}
