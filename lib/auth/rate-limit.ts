import "server-only";
import { env } from "@/lib/config/env";
import { AppError, type ErrorSurface } from "@/lib/errors";
import { countRateHit } from "./rate-counter";

export type LimitedAction = "chat" | "feedback" | "api_key";

/** Each action's limit per user (from RATE_LIMIT_*; 0: off) and its window. */
export function rateLimits(): Record<LimitedAction, { limit: number; windowMs: number }> {
  const r = env().rateLimits;
  return {
    chat: { limit: r.chatPerMinute, windowMs: 60_000 },
    feedback: { limit: r.feedbackPerMinute, windowMs: 60_000 },
    api_key: { limit: r.keysPerHour, windowMs: 3_600_000 },
  };
}

const WHAT: Record<LimitedAction, string> = { chat: "messages", feedback: "feedback", api_key: "new API keys" };

/**
 * Counts one `action` by the user and refuses it (429 with Retry-After) past its limit. The
 * counts live in the database, so the limit holds across restarts and instances; they are
 * answered from memory and written in batches (lib/auth/rate-counter.ts), so a request waits
 * for the database only on the user's first hit of a window in this process.
 */
export async function enforceRateLimit(
  userId: string,
  action: LimitedAction,
  { surface = "api", limits = rateLimits(), now = Date.now() }: { surface?: ErrorSurface; limits?: ReturnType<typeof rateLimits>; now?: number } = {},
): Promise<void> {
  const { limit, windowMs } = limits[action];
  if (limit <= 0) return;
  const { hits, windowEndsAt } = await countRateHit(userId, action, windowMs, now);
  if (hits > limit) {
    const per = windowMs >= 3_600_000 ? "hour" : "minute";
    const retryAfterSeconds = Math.ceil((windowEndsAt - now) / 1000);
    throw new AppError(`rate_limited:${surface}`, `Too many ${WHAT[action]}: at most ${limit} per ${per}. Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
  }
}

const g = globalThis as unknown as { __eliteCompletionHits?: Map<string, { windowStart: number; hits: number }> };

/**
 * Editors' completions come at keystroke rate on a path that must not wait for a database:
 * they are counted in this instance's memory, per user per minute (RATE_LIMIT_COMPLETIONS_PER_MINUTE;
 * several instances each allow that many). Past it: 429 with Retry-After.
 */
export function enforceCompletionRate(
  userId: string,
  { limit = env().rateLimits.completionsPerMinute, now = Date.now(), surface = "api" as ErrorSurface }: { limit?: number; now?: number; surface?: ErrorSurface } = {},
): void {
  if (limit <= 0) return;
  const counts = (g.__eliteCompletionHits ??= new Map());
  let c = counts.get(userId);
  if (!c || now - c.windowStart >= 60_000) {
    if (counts.size > 10_000) counts.clear();
    counts.set(userId, (c = { windowStart: now, hits: 0 }));
  }
  c.hits++;
  if (c.hits > limit) {
    const retryAfterSeconds = Math.max(1, Math.ceil((c.windowStart + 60_000 - now) / 1000));
    throw new AppError(`rate_limited:${surface}`, `Too many completions: at most ${limit} per minute. Try again in ${retryAfterSeconds} s.`, { retryAfterSeconds });
  }
}
