import "server-only";
import type { InteractionRow } from "@/lib/db/queries/interactions";
import { isUnusableAnswer, rewardFrom } from "@/lib/domain";
import { recordFallbackTrail, type LearnedOutcome } from "@/lib/learning/store";
import { learnFromRegeneration } from "@/lib/learning/implicit-feedback";
import { flushOutcomes, learnLater } from "@/lib/learning/outcome-batch";
import { recordPatternOutcome } from "@/lib/learning/patterns";
import { recordLatency } from "@/lib/learning/latency-store";
import { recordAttemptOutcome } from "@/lib/learning/failure-store";
import { recordKnowledgeOutcome } from "@/lib/knowledge/manager";
import { scheduleExperimentCheck } from "@/lib/learning/engine";
import { PARAMS_LATENCY_BUDGET_MS } from "@/lib/learning/params";
import { noteModelError } from "./availability";
import type { Plan } from "./plan";
import type { RunOutcome } from "./run";

/** Failures the sampling parameters can cause (a token limit that cuts, a window that slows, nothing said). */
const ARM_FAILURES = new Set(["truncated", "timeout", "empty"]);

const g = globalThis as unknown as { __eliteLearningInFlight?: Set<Promise<void>> };

/**
 * Runs what an answer teaches alongside its response (which may end first); errors are
 * logged. settledLearning() waits for all of it (tests, shutdown).
 */
export function learnInBackground(work: () => Promise<void>): Promise<void> {
  const inFlight = (g.__eliteLearningInFlight ??= new Set());
  const p: Promise<void> = work()
    .catch((e) => console.error("learning update failed", e))
    .finally(() => inFlight.delete(p));
  inFlight.add(p);
  return p;
}

/** Resolves once every answer's learning started so far (and any it started) has finished. */
export async function settledLearning(): Promise<void> {
  const inFlight = g.__eliteLearningInFlight;
  await flushOutcomes();
  while (inFlight?.size) await Promise.all([...inFlight, flushOutcomes()]);
}

/** What one answered (or failed) request teaches, at once: routing, fallback order, parameters, patterns, the experiment it ran in. */
export async function learnFromRun({
  plan,
  outcome,
  responseTimeMs,
  regenerateOf,
  interactionId,
  userId,
}: {
  plan: Plan;
  outcome: RunOutcome;
  responseTimeMs: number;
  regenerateOf: InteractionRow | null;
  interactionId?: string;
  userId?: string;
}): Promise<void> {
  const taskType = plan.taskType;
  const tried = outcome.attempts.filter((a) => a.reason !== "cancelled");
  const now = Date.now();
  // The posteriors and parameter arms learn in batches, after the answers (lib/learning/outcome-batch.ts).
  const outcomes: LearnedOutcome[] = [];
  for (const a of tried) {
    if (a.ok) continue;
    noteModelError(a.model, `${a.reason}${a.message ? `: ${a.message}` : ""}`);
    // Counted in the model's record either way; only an unusable answer says how well it
    // answers: a failure to serve it (an error, a time-out, a broken stream) is the failure
    // prediction's, which forgets it as it ages (lib/domain/attempt-failure.ts).
    outcomes.push({ kind: "performance", taskType, model: a.model, reward: isUnusableAnswer(a.reason) ? 0 : null, success: false, responseTimeMs: a.ms, now });
    // The arm it ran with takes the blame too, when the failure is one parameters can cause.
    const armId = plan.chain.find((c) => c.model === a.model)?.armId;
    if (armId && a.reason && ARM_FAILURES.has(a.reason)) {
      outcomes.push({ kind: "parameters", model: a.model, taskType, armId, quality: 0, normalizedLatency: a.ms / PARAMS_LATENCY_BUDGET_MS, now });
    }
  }
  await recordFallbackTrail({ taskType, attempts: tried.map((a) => ({ model: a.model, ok: a.ok })) });
  // Every attempt teaches the failure prediction (whether it was served); answers that arrived teach the time-outs.
  for (const a of tried) await recordAttemptOutcome(a.model, { taskType, promptTokens: a.promptTokens ?? 0, cold: Boolean(a.cold) }, a);
  for (const a of tried) if (a.ok && a.ttftMs != null) await recordLatency(a.model, { ttftMs: a.ttftMs, totalMs: a.ms, cold: Boolean(a.cold) });

  // An answer's reward when it finished: what the automatic checks found (later signals move it: lib/learning/answer-reward.ts).
  const r = outcome.status === "completed" && outcome.auto ? rewardFrom({ auto: outcome.auto }) : null;
  if (r && outcome.model) {
    outcomes.push({ kind: "performance", taskType, model: outcome.model, reward: r.reward, success: r.success, responseTimeMs, now });
    if (outcome.planned?.armId) {
      outcomes.push({ kind: "parameters", model: outcome.model, taskType, armId: outcome.planned.armId, quality: r.reward, normalizedLatency: responseTimeMs / PARAMS_LATENCY_BUDGET_MS, now });
    }
  }
  const batched = learnLater(outcomes);
  // The knowledge an answer used shares that reward.
  if (r && outcome.planned?.knowledge.length) await recordKnowledgeOutcome(outcome.planned.knowledge.map((k) => k.id), r.reward);
  if (plan.pattern && outcome.status !== "cancelled") {
    // The pattern's model gave an unusable answer: the request is carved out of its region.
    // (Whether an answer was good is for the user to say: lib/learning/feedback.ts.) When it
    // could not be served at all, that says nothing of where the pattern holds.
    const answered = outcome.status === "completed" && outcome.model === plan.pattern.model_name;
    const own = tried.find((a) => a.model === plan.pattern!.model_name);
    const request = plan.embedding ? { embedding: plan.embedding, embeddingModel: plan.embeddingModel, taskType: plan.taskType, interactionId: interactionId ?? null, userId: userId ?? null } : undefined;
    if (answered || isUnusableAnswer(own?.reason)) await recordPatternOutcome(plan.pattern.id, answered, request);
  }
  // Asking again is an implicit verdict on the answer being regenerated.
  if (regenerateOf) await learnFromRegeneration(regenerateOf);
  // A running experiment looks at its outcomes after each of its interactions.
  if (plan.config.experiment) await scheduleExperimentCheck(plan.config.experiment.id);
  await batched;
}
