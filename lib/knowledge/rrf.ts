/**
 * Reciprocal rank fusion (Cormack et al., 2009): each list gives an item 1/(k + rank); the
 * sums decide the fused order. Robust to lists whose scores live on different scales (cosine
 * similarity and ts_rank here). Pure.
 */
export const RRF_K = 60;

export interface Fused {
  id: string;
  /** Sum of 1/(k + rank) over the lists the item appears in. */
  rrf: number;
  /** rrf scaled so that first in every list is 1. */
  score: number;
  /** 1-based rank per list, null when absent from it. */
  ranks: (number | null)[];
}

export function reciprocalRankFusion(lists: string[][], k = RRF_K): Fused[] {
  const byId = new Map<string, Fused>();
  lists.forEach((list, li) => {
    const seen = new Set<string>();
    list.forEach((id, i) => {
      if (seen.has(id)) return; // an id counts once per list, at its best rank
      seen.add(id);
      let f = byId.get(id);
      if (!f) {
        f = { id, rrf: 0, score: 0, ranks: lists.map(() => null) };
        byId.set(id, f);
      }
      f.rrf += 1 / (k + i + 1);
      f.ranks[li] = i + 1;
    });
  });
  const best = lists.filter((l) => l.length > 0).length / (k + 1);
  const out = [...byId.values()];
  for (const f of out) f.score = best > 0 ? f.rrf / best : 0;
  // Ties: the item with the better best rank first, then by id for a stable order.
  return out.sort((a, b) => b.rrf - a.rrf || minRank(a) - minRank(b) || (a.id < b.id ? -1 : 1));
}

const minRank = (f: Fused) => Math.min(...f.ranks.map((r) => r ?? Infinity));
