import "server-only";
import { asSystemStatement } from "@/lib/db";
import { addHits, countHit, sweepOldHits, type HitCount } from "@/lib/db/queries/rate-limits";

/**
 * Per-user hit counts for the rate limits, answered from memory and shared through the
 * database in batches, so a request asks the database nothing before it is let through (on a
 * remote Supabase database a round trip costs milliseconds; on the embedded one its single
 * connection). The database still holds the counts, so limits hold across restarts and
 * instances:
 *
 * - the first hit of a user's window in this process is counted in the database at once (one
 *   statement) and answers with the count every instance has reached;
 * - later hits are counted in memory and decided on the last count read plus this process's
 *   hits since; they are written in one statement for all users every FLUSH_MS at most, and
 *   each write reads back the counts other instances have added.
 *
 * So one process never lets a user past the limit; several instances together can let
 * through at most what the others admitted within the last FLUSH_MS before this one heard of
 * it. A crash loses at most FLUSH_MS of counting. `flushRateCounts()` writes at once. Windows
 * that ended more than a day ago are swept from the database by the writes, every SWEEP_MS.
 */
export const FLUSH_MS = 100;
export const SWEEP_MS = 3_600_000;

interface WindowCount {
  userId: string;
  action: string;
  windowStart: number;
  windowMs: number;
  /** the count in the database when last read (including this process's hits written by then) */
  stored: number;
  /** hits being written now */
  sending: number;
  /** hits counted here and not yet written */
  unsent: number;
}

interface CounterState {
  counts: Map<string, WindowCount>;
  timer?: NodeJS.Timeout;
  /** the write in progress; writes go one after another */
  writing: Promise<void>;
  /** the time of the latest hit counted: windows ended before it are forgotten */
  latest: number;
  /** when old windows were last swept from the database (at first: when this process first wrote) */
  sweptAt: number;
}

const g = globalThis as unknown as { __eliteRateCounts?: CounterState };
const state = (): CounterState => (g.__eliteRateCounts ??= { counts: new Map(), writing: Promise.resolve(), latest: 0, sweptAt: 0 });

/**
 * Counts one hit by `userId` of `action` in the fixed window of `windowMs` containing `now`
 * and returns the user's hits in that window so far (this one included) and when it ends.
 */
export async function countRateHit(userId: string, action: string, windowMs: number, now: number): Promise<HitCount> {
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const windowEndsAt = windowStart + windowMs;
  const s = state();
  s.latest = Math.max(s.latest, now);
  const key = `${userId}\u0000${action}\u0000${windowStart}`;
  const known = s.counts.get(key);
  if (known) {
    known.unsent++;
    scheduleFlush(s);
    return { hits: known.stored + known.sending + known.unsent, windowEndsAt };
  }
  // The first hit of this window here: counted in the database, which knows every instance's.
  const counted = await asSystemStatement((q) => countHit(q, { userId, action, windowMs, now }));
  const raced = s.counts.get(key); // another first hit, counted meanwhile
  if (raced) raced.stored = Math.max(raced.stored, counted.hits);
  else s.counts.set(key, { userId, action, windowStart, windowMs, stored: counted.hits, sending: 0, unsent: 0 });
  return counted;
}

function scheduleFlush(s: CounterState): void {
  if (s.timer) return;
  s.timer = setTimeout(() => {
    s.timer = undefined;
    void flushRateCounts();
  }, FLUSH_MS);
  s.timer.unref?.();
}

/** Writes the hits counted in memory (one statement) and reads back every instance's counts. */
export function flushRateCounts(): Promise<void> {
  const s = state();
  if (s.timer) clearTimeout(s.timer);
  s.timer = undefined;
  s.writing = s.writing.then(() => write(s));
  return s.writing;
}

async function write(s: CounterState): Promise<void> {
  const now = Date.now();
  s.sweptAt ||= now;
  if (now - s.sweptAt >= SWEEP_MS) {
    s.sweptAt = now;
    await asSystemStatement(sweepOldHits).catch((e) => console.error("sweeping old rate-limit windows failed", e));
  }
  const batch: { count: WindowCount; hits: number }[] = [];
  for (const [key, c] of s.counts) {
    if (c.unsent > 0) {
      batch.push({ count: c, hits: c.unsent });
      c.sending += c.unsent;
      c.unsent = 0;
    } else if (c.sending === 0 && c.windowStart + c.windowMs <= s.latest) s.counts.delete(key); // its window is over
  }
  if (batch.length === 0) return;
  try {
    const totals = await asSystemStatement((q) =>
      addHits(q, batch.map(({ count: c, hits }) => ({ userId: c.userId, action: c.action, windowStart: c.windowStart, hits }))),
    );
    batch.forEach(({ count, hits }, i) => {
      count.sending -= hits;
      count.stored = Math.max(count.stored + hits, totals[i]);
    });
  } catch (e) {
    // Kept and written with the next batch; meanwhile still counted here.
    for (const { count, hits } of batch) {
      count.sending -= hits;
      count.unsent += hits;
    }
    scheduleFlush(s);
    console.error("writing rate-limit counts failed (kept for the next write)", e);
  }
}

/** Forgets what this process counted and has not written (tests: a restart, another instance). */
export function forgetRateCounts(): void {
  const s = state();
  if (s.timer) clearTimeout(s.timer);
  g.__eliteRateCounts = undefined;
}
