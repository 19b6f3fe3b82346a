import type { Queryable } from "../types";

/**
 * Counts one hit of `action` by a user in the fixed window containing `now` (atomically, so
 * concurrent requests on several instances all count) and returns the count so far and when
 * the window ends. One statement: it needs no transaction around it.
 */
export async function countHit(
  tx: Queryable,
  { userId, action, windowMs, now = Date.now() }: { userId: string; action: string; windowMs: number; now?: number },
): Promise<{ hits: number; windowEndsAt: number }> {
  const start = Math.floor(now / windowMs) * windowMs;
  const { rows } = await tx.query<{ hits: number }>(
    `insert into private.rate_limit_hits as r (user_id, action, window_start, hits) values ($1, $2, $3, 1)
     on conflict (user_id, action, window_start) do update set hits = r.hits + 1
     returning hits`,
    [userId, action, new Date(start).toISOString()],
  );
  return { hits: rows[0].hits, windowEndsAt: start + windowMs };
}

/** Sweeps windows that ended more than a day ago. */
export async function sweepOldHits(tx: Queryable): Promise<void> {
  await tx.query("delete from private.rate_limit_hits where window_start < now() - interval '1 day'");
}
