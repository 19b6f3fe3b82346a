import type { Queryable } from "../types";

export interface HitCount {
  /** the user's hits in the window so far, every instance's */
  hits: number;
  windowEndsAt: number;
}

/**
 * Counts one hit of `action` by a user in the fixed window containing `now` (atomically, so
 * concurrent requests on several instances all count) and returns the count so far and when
 * the window ends. One statement: it needs no transaction around it.
 */
export async function countHit(
  tx: Queryable,
  { userId, action, windowMs, now = Date.now() }: { userId: string; action: string; windowMs: number; now?: number },
): Promise<HitCount> {
  const start = Math.floor(now / windowMs) * windowMs;
  const { rows } = await tx.query<{ hits: number }>(
    `insert into private.rate_limit_hits as r (user_id, action, window_start, hits) values ($1, $2, $3, 1)
     on conflict (user_id, action, window_start) do update set hits = r.hits + 1
     returning hits`,
    [userId, action, new Date(start).toISOString()],
  );
  return { hits: rows[0].hits, windowEndsAt: start + windowMs };
}

/**
 * Adds hits counted elsewhere (in memory, lib/auth/rate-counter.ts) to their windows, all in
 * one statement, and returns each window's count after it, in the order given.
 */
export async function addHits(
  tx: Queryable,
  rows: readonly { userId: string; action: string; windowStart: number; hits: number }[],
): Promise<number[]> {
  if (rows.length === 0) return [];
  const { rows: out } = await tx.query<{ n: number; hits: number }>(
    `with given as (
       select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[]) with ordinality as g(user_id, action, window_start, hits, n)
     ), added as (
       insert into private.rate_limit_hits as r (user_id, action, window_start, hits)
       select user_id, action, window_start, hits from given order by user_id, action, window_start
       on conflict (user_id, action, window_start) do update set hits = r.hits + excluded.hits
       returning user_id, action, window_start, hits
     )
     select g.n::int as n, a.hits from given g join added a using (user_id, action, window_start) order by g.n`,
    [rows.map((r) => r.userId), rows.map((r) => r.action), rows.map((r) => new Date(r.windowStart).toISOString()), rows.map((r) => r.hits)],
  );
  return out.map((r) => r.hits);
}

/** Sweeps windows that ended more than a day ago. */
export async function sweepOldHits(tx: Queryable): Promise<void> {
  await tx.query("delete from private.rate_limit_hits where window_start < now() - interval '1 day'");
}
