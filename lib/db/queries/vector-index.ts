import type { Queryable } from "../types";

/** How many candidates an HNSW scan keeps to return `limit` rows (pgvector's `hnsw.ef_search`, 40 by default, at most 1000). */
export function efSearchFor(limit: number): number {
  return Math.min(1000, Math.max(40, Math.floor(limit)));
}

/**
 * Nearest-neighbour reads of recorded requests go through the HNSW index whatever the
 * table's size. PostgreSQL prices the index above a sequential scan until a table is large,
 * but a sequential scan reads every stored embedding out of line (3 KB each at 768
 * dimensions): on the bench:load database, 1,386 requests, it took 12.8 ms where the index
 * took 3.5. The embedded database never takes planner statistics by itself (no autovacuum),
 * and without them its planner preferred reading a whole b-tree index and sorting every row
 * by distance: sorting is ruled out too, which leaves the HNSW walk. Filters are applied as
 * the scan goes on (pgvector's iterative scan), so a selective filter still finds up to
 * `limit` rows among the nearest `maxScan` (then the results come in relaxed order: callers
 * sort them). Lasts until the caller's transaction ends (these reads always run in one of
 * their own).
 */
export async function preferVectorIndex(tx: Queryable, { limit, maxScan = Math.max(1000, 50 * limit) }: { limit: number; maxScan?: number }): Promise<void> {
  const n = (x: number) => Math.max(1, Math.floor(x));
  await tx.exec(
    "set local enable_seqscan = off; set local enable_bitmapscan = off; set local enable_sort = off; set local hnsw.iterative_scan = relaxed_order; " +
      `set local hnsw.ef_search = ${efSearchFor(limit)}; set local hnsw.max_scan_tuples = ${n(maxScan)}`,
  );
}
