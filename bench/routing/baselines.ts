/**
 * Fixed rankings of models read off the labels, the yardsticks learned routing is compared
 * with: in hindsight (every item) or without it (the first half's items only), for one model
 * or one per group (category, task type). An item goes to the highest-ranked model available for it.
 */
import type { World } from "./world";

/** Models ordered by mean probability over the given items (where available); ties by name. */
export function ranking(world: World, items: readonly number[]): string[] {
  const mean = (m: string) => {
    let s = 0;
    let n = 0;
    for (const i of items) {
      const p = world.prob(i, m);
      if (p !== undefined) (s += p), n++;
    }
    return n ? s / n : -1;
  };
  const means = new Map(world.models.map((m) => [m, mean(m)]));
  return [...world.models].filter((m) => means.get(m)! >= 0).sort((a, b) => means.get(b)! - means.get(a)! || a.localeCompare(b));
}

/** `ranking` within each group of `items` (`groupOf` an item). */
export function rankingPerGroup(world: World, items: readonly number[], groupOf: (item: number) => string): Map<string, string[]> {
  const byGroup = new Map<string, number[]>();
  for (const i of items) byGroup.set(groupOf(i), [...(byGroup.get(groupOf(i)) ?? []), i]);
  return new Map([...byGroup].map(([g, members]) => [g, ranking(world, members)]));
}

/** An item's true category, as the per-category rankings group it. */
export const categoryOf = (world: World) => (item: number) => world.items[item].category ?? "(none)";

export const firstAvailable = (order: readonly string[], available: readonly string[]) => order.find((m) => available.includes(m));

/**
 * Models ranked per group (`groupOf` an item) on the first half of `order`'s items, with every
 * model's label there, then asked, best available first, for the last half's items of their
 * group (expected reward). A group the first half never saw, and models a group's first half
 * never labelled, fall back to the ranking over the whole first half, then by name, so every
 * item of the last half has one to answer it. Returns the last half's score and the first
 * model of each group's ranking.
 */
export function firstHalfRanked(
  world: World,
  order: readonly number[],
  available: readonly (readonly string[])[],
  groupOf: (item: number) => string,
): { lastHalf: number; top: Record<string, string> } {
  const half = Math.floor(order.length / 2);
  const first = order.slice(0, half);
  const overall = ranking(world, first);
  const fallback = [...overall, ...world.models.filter((m) => !overall.includes(m)).sort()];
  const ranks = new Map([...rankingPerGroup(world, first, groupOf)].map(([g, ranked]) => [g, [...ranked, ...fallback.filter((m) => !ranked.includes(m))]]));
  const last = order.slice(half);
  const total = last.reduce((sum, i) => sum + world.prob(i, firstAvailable(ranks.get(groupOf(i)) ?? fallback, available[i])!)!, 0);
  return { lastHalf: Math.round((total / last.length) * 10_000) / 10_000, top: Object.fromEntries([...ranks].map(([g, r]) => [g, r[0]])) };
}

/** ReplayResult.firstHalfBestSingle: one group, every item. */
export function firstHalfBestSingle(world: World, order: readonly number[], available: readonly (readonly string[])[]): { model: string; lastHalf: number } {
  const { lastHalf, top } = firstHalfRanked(world, order, available, () => "all");
  return { model: top.all ?? [...world.models].sort()[0], lastHalf };
}
