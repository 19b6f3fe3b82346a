import "server-only";
import { asSystem } from "@/lib/db";
import { recentAttempts } from "@/lib/db/queries/past-interactions";
import { isTaskType, isUnusableAnswer, normalizeModel, type TaskType } from "@/lib/domain";
import { decayErrors, emptyFailureModel, errorsNow, failureProbability, failureVerdict, learnFailure, type FailureModel } from "./failure-model";

/**
 * Each model's failure model and decayed recent failures, per process: rebuilt from the
 * attempts recorded in routing decisions at first use (a restart keeps what was learned),
 * then updated as attempts finish.
 */
interface ModelState {
  model: FailureModel;
  recentErrors: number;
  at: number;
}

const g = globalThis as unknown as { __eliteFailures?: Promise<Map<string, ModelState>> };

function states(): Promise<Map<string, ModelState>> {
  g.__eliteFailures ??= asSystem((tx) => recentAttempts(tx, { limit: 2000 }))
    .then((rows) => {
      const m = new Map<string, ModelState>();
      for (const a of rows) if (isTaskType(a.taskType)) learn(m, a.model, { taskType: a.taskType, promptTokens: a.promptTokens, cold: a.cold }, notServed(a));
      return m;
    })
    .catch(() => new Map());
  return g.__eliteFailures;
}

function learn(m: Map<string, ModelState>, model: string, f: { taskType: TaskType; promptTokens: number; cold: boolean }, failed: boolean, now = Date.now()) {
  const key = normalizeModel(model);
  const s = m.get(key) ?? { model: emptyFailureModel(), recentErrors: 0, at: now };
  const recent = errorsNow(s.recentErrors, now - s.at);
  s.model = learnFailure(s.model, { ...f, recentErrors: recent }, failed);
  s.recentErrors = decayErrors(recent, failed);
  s.at = now;
  m.set(key, s);
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
  const s = (await states()).get(normalizeModel(model));
  if (!s) return { p: failureProbability(emptyFailureModel(), { ...f, recentErrors: 0 }), verdict: "keep" };
  const recentErrors = errorsNow(s.recentErrors, Date.now() - s.at);
  const p = failureProbability(s.model, { ...f, recentErrors });
  return { p, verdict: failureVerdict(s.model, p, recentErrors) };
}

export function resetFailures(): void {
  g.__eliteFailures = undefined;
}
