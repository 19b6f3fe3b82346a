import type { Decision } from "@/lib/chat/events";
import { patternShared } from "@/lib/domain";
import type { Plan } from "./plan";

/**
 * The routing decision an answer is recorded and streamed with (lib/domain/decision.ts is its
 * schema): what the plan chose and why, and what the attempts did, with its one-line summary.
 */
export function decisionOf(plan: Plan, attempts: Decision["attempts"], model: string): Decision {
  const planned = plan.chain.find((c) => c.model === model) ?? plan.chain[0];
  return {
    summary: summarize(plan, attempts, model),
    taskType: plan.taskType,
    confidence: plan.confidence,
    voters: plan.voters,
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
  };
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

