/** pgvector's own `hnsw.ef_search` when nothing sets it. */
export const DEFAULT_EF_SEARCH = 40;

/** How many candidates an HNSW scan keeps to return `limit` rows (pgvector's `hnsw.ef_search`, 40 by default, at most 1000). */
export function efSearchFor(limit: number): number {
  return Math.min(1000, Math.max(DEFAULT_EF_SEARCH, Math.floor(limit)));
}
