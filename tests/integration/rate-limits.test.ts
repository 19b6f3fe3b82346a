import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, USER_A, USER_B } from "../support/db";
import { useDatabase } from "../../lib/db";
import { enforceCompletionRate, enforceRateLimit } from "../../lib/auth/rate-limit";
import { flushRateCounts, forgetRateCounts } from "../../lib/auth/rate-counter";
import { AppError } from "../../lib/errors";
import { sweepOldHits } from "../../lib/db/queries/rate-limits";
import { openaiErrorResponse, ollamaErrorResponse } from "../../lib/api/errors";
import { parseEnv } from "../../lib/config/env";
import type { Database } from "../../lib/db/types";

let db: Database;
beforeAll(async () => {
  db = await createTestDb();
  useDatabase(db);
});
afterAll(async () => {
  forgetRateCounts(); // no write after the database closes
  await db.close();
});

const limits = { chat: { limit: 3, windowMs: 60_000 }, feedback: { limit: 2, windowMs: 60_000 }, api_key: { limit: 1, windowMs: 3_600_000 } };

describe("per-user rate limits", () => {
  it("refuse past the limit with a 429 and Retry-After, per user and per action, and reset with the window", async () => {
    const now = Date.UTC(2026, 11, 3, 9, 0, 10);
    for (let i = 0; i < 3; i++) await enforceRateLimit(USER_A, "chat", { limits, now });
    const refused = await enforceRateLimit(USER_A, "chat", { limits, now }).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    const err = refused as AppError;
    expect(err.status).toBe(429);
    expect(err.message).toMatch(/at most 3 per minute/);
    expect(err.headers()).toEqual({ "retry-after": "50" });
    // Another user, and another action, have their own counts.
    await enforceRateLimit(USER_B, "chat", { limits, now });
    await enforceRateLimit(USER_A, "feedback", { limits, now });
    // The next window starts afresh.
    await enforceRateLimit(USER_A, "chat", { limits, now: now + 60_000 });
  });

  it("count editors' completions in memory (no database on their fast path): past the limit a 429 with Retry-After, per user, reset with the minute", () => {
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 3; i++) enforceCompletionRate("completion-user-a", { limit: 3, now: t0 + i });
    let refused: unknown = null;
    try {
      enforceCompletionRate("completion-user-a", { limit: 3, now: t0 + 10_000 });
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).status).toBe(429);
    expect((refused as AppError).headers()["retry-after"]).toBe("50");
    expect(() => enforceCompletionRate("completion-user-b", { limit: 3, now: t0 + 10_000 })).not.toThrow();
    expect(() => enforceCompletionRate("completion-user-a", { limit: 3, now: t0 + 60_000 })).not.toThrow();
    expect(() => enforceCompletionRate("completion-user-a", { limit: 0, now: t0 + 60_001 })).not.toThrow();
  });

  it("are kept in the database, so they hold across restarts and instances", async () => {
    const now = Date.UTC(2026, 11, 3, 10, 0, 0);
    await enforceRateLimit(USER_A, "api_key", { limits, now });
    const { rows } = await db.query<{ hits: number }>("select hits from private.rate_limit_hits where user_id = $1 and action = 'api_key'", [USER_A]);
    expect(rows[0].hits).toBe(1);
    await expect(enforceRateLimit(USER_A, "api_key", { limits, now: now + 1000 })).rejects.toThrow(/at most 1 per hour/);
  });

  it("ask the database nothing after a user's first hit of a window in this process; the hits reach it in one write", async () => {
    const now = Date.UTC(2026, 11, 3, 12, 0, 5);
    const roomy = { ...limits, chat: { limit: 10, windowMs: 60_000 } };
    const stored = async () =>
      (await db.query<{ hits: number }>("select hits from private.rate_limit_hits where user_id = $1 and action = 'chat' and window_start = $2", [USER_B, new Date(Date.UTC(2026, 11, 3, 12)).toISOString()])).rows[0]?.hits;
    const statements = vi.spyOn(db, "query");
    try {
      await enforceRateLimit(USER_B, "chat", { limits: roomy, now });
      expect(statements).toHaveBeenCalledTimes(1); // the first: counted in the database at once
      for (let i = 0; i < 4; i++) await enforceRateLimit(USER_B, "chat", { limits: roomy, now: now + i });
      expect(statements).toHaveBeenCalledTimes(1); // the next four: from memory
      await flushRateCounts();
      expect(statements).toHaveBeenCalledTimes(2); // one write for them all
    } finally {
      statements.mockRestore();
    }
    expect(await stored()).toBe(5);
  });

  it("hold across instances and restarts: a process that starts afresh reads the count every instance has written", async () => {
    const now = Date.UTC(2026, 11, 3, 13, 0, 0);
    // One instance lets three through and writes them.
    for (let i = 0; i < 3; i++) await enforceRateLimit(USER_A, "feedback", { limits: { ...limits, feedback: { limit: 4, windowMs: 60_000 } }, now });
    await flushRateCounts();
    // Another instance (or this one restarted) knows nothing in memory: the database says 3, so one more and no more.
    forgetRateCounts();
    const four = { ...limits, feedback: { limit: 4, windowMs: 60_000 } };
    await enforceRateLimit(USER_A, "feedback", { limits: four, now: now + 1 });
    await expect(enforceRateLimit(USER_A, "feedback", { limits: four, now: now + 2 })).rejects.toThrow(/at most 4 per minute/);
    // The first instance, still running, hears of the other's hits with its next write.
    await flushRateCounts();
    const { rows } = await db.query<{ hits: number }>("select hits from private.rate_limit_hits where user_id = $1 and action = 'feedback' and window_start = $2", [USER_A, new Date(now).toISOString()]);
    expect(rows[0].hits).toBe(5); // every hit counted once, the refused one too
  });

  it("keep hits whose write failed and write them with the next batch", async () => {
    const now = Date.UTC(2026, 11, 3, 14, 0, 0);
    const roomy = { ...limits, chat: { limit: 10, windowMs: 60_000 } };
    await enforceRateLimit(USER_A, "chat", { limits: roomy, now });
    await enforceRateLimit(USER_A, "chat", { limits: roomy, now });
    const failing = vi.spyOn(db, "query").mockRejectedValueOnce(new Error("connection lost"));
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      await flushRateCounts();
      expect(logged).toHaveBeenCalledWith(expect.stringMatching(/rate-limit counts failed/), expect.any(Error));
    } finally {
      failing.mockRestore();
      logged.mockRestore();
    }
    await enforceRateLimit(USER_A, "chat", { limits: roomy, now });
    await flushRateCounts();
    const { rows } = await db.query<{ hits: number }>("select hits from private.rate_limit_hits where user_id = $1 and action = 'chat' and window_start = $2", [USER_A, new Date(now).toISOString()]);
    expect(rows[0].hits).toBe(3);
  });

  it("sweep windows that ended more than a day ago, and only those", async () => {
    await db.query(
      `insert into private.rate_limit_hits (user_id, action, window_start, hits)
       values ($1, 'feedback', now() - interval '2 days', 3), ($1, 'feedback', now() - interval '1 hour', 2)`,
      [USER_B],
    );
    await sweepOldHits(db);
    const { rows } = await db.query<{ hits: number }>("select hits from private.rate_limit_hits where user_id = $1 and action = 'feedback'", [USER_B]);
    expect(rows.map((r) => r.hits)).toEqual([2]);
  });

  it("are off at 0, and configurable from the environment with defaults", async () => {
    const off = { ...limits, chat: { limit: 0, windowMs: 60_000 } };
    for (let i = 0; i < 10; i++) await enforceRateLimit(USER_B, "chat", { limits: off, now: Date.UTC(2026, 11, 3, 11) });
    expect(parseEnv({}).rateLimits).toEqual({ chatPerMinute: 120, feedbackPerMinute: 120, keysPerHour: 20, completionsPerMinute: 1200 });
    expect(parseEnv({ RATE_LIMIT_CHAT_PER_MINUTE: "5" }).rateLimits.chatPerMinute).toBe(5);
    expect(() => parseEnv({ RATE_LIMIT_CHAT_PER_MINUTE: "-1" })).toThrow(/RATE_LIMIT_CHAT_PER_MINUTE/);
  });

  it("reach the compatible APIs' clients as 429 with Retry-After in their own shapes", async () => {
    const err = new AppError("rate_limited:api", "Too many messages", { retryAfterSeconds: 12 });
    for (const res of [openaiErrorResponse(err), ollamaErrorResponse(err), err.toResponse()]) {
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("12");
    }
    expect((await openaiErrorResponse(err).json()).error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
  });
});
