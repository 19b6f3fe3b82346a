/**
 * How similar is similar, for one embedding model (pure). Cosine similarity has no meaning
 * of its own: unrelated requests score ~0.4 under nomic-embed-text, ~0.1 under other
 * models, and paraphrases anywhere from 0.5 to 0.9. So a similarity is read against the
 * model's own background, the similarities of pairs of different requests it embedded
 * (recorded requests plus reference requests), and thresholds are quantiles of that
 * background ("closer than 95% of pairs of different requests"), never constants.
 */
import { dot, unit } from "./vectors";
export interface SimilarityScale {
  /** background similarities, ascending */
  background: Float64Array;
  /**
   * Unit vectors of reference requests written to differ from each other: what is unrelated
   * to any one request, to ask how unusual a closeness is for that request itself (absent:
   * the background answers for every request alike).
   */
  references?: readonly (readonly number[])[];
}


/** Pairs at least this similar are one text embedded twice, not two requests. */
const SAME_TEXT = 0.999;

/**
 * The scale from a set of embeddings of different requests: every pair's cosine similarity
 * (vectors are normalised here), at most `maxPairs` of them, evenly spread.
 */
export function scaleFrom(embeddings: readonly (readonly number[])[], maxPairs = 60_000): SimilarityScale {
  const units = embeddings.map(unit);
  const pairs = (units.length * (units.length - 1)) / 2;
  const step = Math.max(1, Math.ceil(pairs / maxPairs));
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < units.length; i++) {
    for (let j = i + 1; j < units.length; j++, k++) {
      if (k % step) continue;
      const s = dot(units[i], units[j]);
      if (s < SAME_TEXT) out.push(s);
    }
  }
  return { background: Float64Array.from(out).sort() };
}

/** The scale with `embeddings` (of reference requests) as the references each request is read against. */
export function withReferences(scale: SimilarityScale, embeddings: readonly (readonly number[])[]): SimilarityScale {
  return { ...scale, references: embeddings.map(unit) };
}

/**
 * The yardstick for one vector (a request, a theme's centroid): its own similarities to the
 * references, read with {@link closerThan} and {@link similarityQuantile} like any scale.
 * Some requests are near many others (short, generic ones) and some near none, so one
 * background for all is too loose for the first and too strict for the second. Without
 * references, the background is the yardstick.
 */
export function scaleAround(scale: SimilarityScale, v: readonly number[]): SimilarityScale {
  const refs = scale.references;
  if (!refs?.length) return scale;
  const u = unit(v);
  return { background: Float64Array.from(refs, (r) => dot(u, r)).sort() };
}

/** The similarity that a fraction `q` of background pairs stays below (linear interpolation). */
export function similarityQuantile(scale: SimilarityScale, q: number): number {
  const b = scale.background;
  if (b.length === 0) return 1; // nothing to compare with: nothing counts as near
  const at = Math.min(1, Math.max(0, q)) * (b.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(b.length - 1, lo + 1);
  return b[lo] + (b[hi] - b[lo]) * (at - lo);
}

/** The fraction of background pairs less similar than `s` (0 … 1): how unusual this closeness is. */
export function closerThan(scale: SimilarityScale, s: number): number {
  const b = scale.background;
  if (b.length === 0) return 0;
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (b[mid] < s) lo = mid + 1;
    else hi = mid;
  }
  return lo / b.length;
}
