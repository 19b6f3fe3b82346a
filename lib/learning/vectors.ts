/** Vector arithmetic for embeddings (pure). */

export function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The vector scaled to unit length (a zero vector stays as it is). */
export function unit(v: readonly number[]): number[] {
  const n = Math.sqrt(dot(v, v)) || 1;
  return v.map((x) => x / n);
}

export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`embedding dimensions differ: ${a.length} vs ${b.length}`);
  const na = dot(a, a);
  const nb = dot(b, b);
  return na === 0 || nb === 0 ? 0 : dot(a, b) / Math.sqrt(na * nb);
}
