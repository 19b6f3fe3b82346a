import type { Decision } from "@/lib/chat/events";
import { patternShared } from "@/lib/domain";
import { choiceProbability } from "@/lib/learning/propensity";
import type { Plan } from "./plan";

/**
 * The routing decision an answer is recorded and streamed with (lib/domain/decision.ts is its
 * schema): what the plan chose and why, and what the attempts did, with its one-line summary.
 * `finished`: the answer is done, so the decision also records the chance the policy had of
 * its choice (worked out then, not on the way to the first token).
 */
export function decisionOf(plan: Plan, attempts: Decision["attempts"], model: string, { finished = false }: { finished?: boolean } = {}): Decision {
  const planned = plan.chain.find((c) => c.model === model) ?? plan.chain[0];
  return {
    summary: summarize(plan, attempts, model),
    taskType: plan.taskType,
    confidence: plan.confidence,
    voters: plan.voters,
    ...(plan.followUp ? { followUp: true } : {}),
    ...(plan.routerMissed ? { routerMissed: plan.routerMissed } : {}),
    model,
    role: planned?.role ?? null,
    reason: plan.reason,
    explored: plan.explored,
    pattern: plan.pattern
      ? {
          id: plan.pattern.id,
          similarity: plan.pattern.similarity,
          confidence: plan.pattern.confidence_score,
          closerThan: plan.pattern.closerThan,
          scope: patternShared(plan.pattern.pattern_data) ? "shared" : "yours",
          ...(plan.overrodeRule ? { overrodeRule: plan.overrodeRule } : {}),
        }
      : null,
    means: plan.means,
    chain: plan.chain.map((c) => c.model),
    params: planned ? { ...planned.params } : {},
    armId: planned?.armId ?? null,
    configVersion: plan.config.version,
    skipped: plan.skipped,
    attempts,
    ...(planned?.knowledge?.length ? { knowledge: planned.knowledge } : {}),
    ...(finished && plan.draw ? { draw: drawOf(plan.draw) } : {}),
  };
}

/** The policy's draw as recorded: its choice, the chance it had of it, what it drew among, the role table's choice, the models it weighed against for failing. */
function drawOf(draw: NonNullable<Plan["draw"]>): NonNullable<Decision["draw"]> {
  const failing = draw.failing.map((f) => ({ model: f.model, risk: Math.round(f.risk * 100) / 100 }));
  return { model: draw.model, propensity: choiceProbability(draw.arms, draw.model), eligible: draw.arms.map((a) => a.model), table: draw.table, ...(failing.length ? { failing } : {}) };
}

const WHY: Record<Plan["reason"], string> = {
  policy: "the learned routing policy",
  pattern: "a learned routing pattern",
  rule: "an approved routing rule",
  forced: "the user's choice",
  regenerate: "a regenerate request",
};

/** "math (92%) → mathstral by a learned routing pattern; after deepseek-coder:6.7b timed out". */
function summarize(plan: Plan, attempts: Decision["attempts"], model: string): string {
  const failed = attempts.filter((a) => !a.ok && a.reason !== "cancelled");
  const how =
    plan.reason === "policy"
      ? `${WHY.policy} (${plan.explored ? "exploring" : "best expected"})`
      : `${WHY[plan.reason]}${plan.overrodeRule ? `, over an approved rule preferring ${plan.overrodeRule}` : ""}`;
  const after = failed.length ? `; after ${failed.map((a) => `${a.model} (${a.reason})`).join(", ")} failed` : "";
  return `${plan.taskType} (${Math.round(plan.confidence * 100)}%) → ${model || "no model"} by ${how}${after}`;
}

/** The decision of a request nothing could be planned for. */
export function emptyDecision(): Decision {
  return { taskType: "general", confidence: 0, voters: [], model: "", role: null, reason: "policy", explored: false, pattern: null, chain: [], params: {}, configVersion: null, skipped: [], attempts: [] };
}

