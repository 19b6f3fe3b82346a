/**
 * No one user decides an experiment (pure): in each arm, a user's outcomes count for at most
 * a share of the arm (their earliest ones). The share is the configured one or an equal split
 * among the arm's users, whichever is larger (one user alone, as in the embedded default, is
 * everyone), and never fewer than {@link MIN_PER_USER} outcomes. What is left out is still
 * recorded, just not counted.
 */
export const DEFAULT_MAX_USER_SHARE = 0.25;
export const MIN_PER_USER = 3;

export function capPerUser<T extends { user_id: string }>(rows: readonly T[], maxShare: number): T[] {
  // The cap is a share of what the arm would count with everyone capped: found by iterating
  // down from the uncapped size (the count only shrinks as the cap does).
  const byUser = new Map<string, T[]>();
  for (const r of rows) byUser.set(r.user_id, [...(byUser.get(r.user_id) ?? []), r]);
  maxShare = Math.max(maxShare, 1 / Math.max(1, byUser.size));
  let cap = Math.max(MIN_PER_USER, Math.floor(maxShare * rows.length));
  for (let i = 0; i < 50; i++) {
    const counted = [...byUser.values()].reduce((n, list) => n + Math.min(list.length, cap), 0);
    const next = Math.max(MIN_PER_USER, Math.floor(maxShare * counted));
    if (next >= cap) break;
    cap = next;
  }
  const kept = new Set<T>();
  for (const list of byUser.values()) for (const r of list.slice(0, cap)) kept.add(r);
  return rows.filter((r) => kept.has(r));
}

/** An experiment's outcomes per arm as they count: one per conversation, each user capped. */
export function countedArms<T extends { user_id: string; experiment_arm: "control" | "variant" }>(rows: readonly T[], maxShare: number): { control: T[]; variant: T[] } {
  return {
    control: capPerUser(rows.filter((r) => r.experiment_arm === "control"), maxShare),
    variant: capPerUser(rows.filter((r) => r.experiment_arm === "variant"), maxShare),
  };
}
