import "server-only";
import { asSystem } from "@/lib/db";
import { recentAttempts } from "@/lib/db/queries/past-interactions";
import { isTaskType, isUnusableAnswer, normalizeModel, type TaskType } from "@/lib/domain";
import { observeAttempt, predictFrom, type ModelFailures } from "./failure-model";

/**
 * Each model's failure model and decayed recent failures, per process: rebuilt from the
 * attempts recorded in routing decisions at first use (a restart keeps what was learned),
 * then updated as attempts finish.
 */
const g = globalThis as unknown as { __eliteFailures?: Promise<Map<string, ModelFailures>> };

function states(): Promise<Map<string, ModelFailures>> {
  g.__eliteFailures ??= asSystem((tx) => recentAttempts(tx, { limit: 2000 }))
    .then((rows) => {
      const m = new Map<string, ModelFailures>();
      // Each attempt at its own time, so what was long ago has faded as it would have in a running process.
      for (const a of rows) if (isTaskType(a.taskType)) learn(m, a.model, { taskType: a.taskType, promptTokens: a.promptTokens, cold: a.cold }, notServed(a), Math.min(a.atMs, Date.now()));
      return m;
    })
    .catch(() => new Map());
  return g.__eliteFailures;
}

function learn(m: Map<string, ModelFailures>, model: string, f: { taskType: TaskType; promptTokens: number; cold: boolean }, failed: boolean, now = Date.now()) {
  const key = normalizeModel(model);
  m.set(key, observeAttempt(m.get(key), f, failed, now));
}

/**
 * True when the attempt was not served: it failed, and not with an unusable answer (those the
 * routing posterior counts: lib/domain/attempt-failure.ts). What the prediction learns.
 */
const notServed = (a: { ok: boolean; reason?: string | null }) => !a.ok && !isUnusableAnswer(a.reason);

/** An attempt that ended (cancelled ones say nothing about the model). */
export async function recordAttemptOutcome(model: string, f: { taskType: TaskType; promptTokens: number; cold: boolean }, attempt: { ok: boolean; reason?: string | null }): Promise<void> {
  learn(await states(), model, f, notServed(attempt));
}

/** The probability this model fails this request, and what the plan should do about it. */
export async function predictFailure(model: string, f: { taskType: TaskType; promptTokens: number; cold: boolean }): Promise<{ p: number; verdict: "keep" | "later" | "skip" }> {
  return predictFrom((await states()).get(normalizeModel(model)), f, Date.now());
}

export function resetFailures(): void {
  g.__eliteFailures = undefined;
}
