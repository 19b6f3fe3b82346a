import "server-only";
import type { InteractionRow } from "@/lib/db/queries/interactions";
import { interactionJudgement, interactionReward, isTaskType, readDecision, sameModel, statedTaskType, SUCCESS_AT, type OutcomeRow } from "@/lib/domain";
import { correctKnowledgeOutcome, recordKnowledgeOutcome } from "@/lib/knowledge/manager";
import { PARAMS_LATENCY_BUDGET_MS, paramArmsFor, paramsReward } from "./params";
import { correctPatternOutcome } from "./patterns";
import { correctOutcome, correctParamsOutcome, dropOutcome, recordOutcome, recordParamsOutcome } from "./store";

/**
 * An answer counts once in its model's routing evidence, in its parameter arm's, in the
 * confidence of the knowledge it used and in that of the routing pattern it followed,
 * whatever is said about it and how often. Its reward (lib/domain/reward.ts interactionReward: a
 * rating, thumbs, tags, a preference, a better model named, a regeneration, a correction, a
 * copy, what the next message said, or else the automatic checks) was counted when it
 * finished; each later signal changes that reward, and the evidence moves from the reward
 * counted before to the new one (correctOutcome: success from failure, the amount of evidence
 * unchanged).
 *
 * The evidence is the task type's the answer counts for: the one its user says it was, else
 * the one it was routed as. When its user says it was another task type than it counted for
 * so far, the answer moves: its outcome is taken out of the arm it was counted in and counted
 * in the stated one's.
 *
 * `before` and `after` are the stored answer either side of the signal, read in the
 * transaction that wrote it. A rating is passed on even when the reward does not change, for
 * the arm's rating statistics. Returns the reward counted before and the reward now.
 */
export async function reviseAnswerReward({ before, after, rating }: { before: InteractionRow; after: InteractionRow; rating?: number }): Promise<{ from: number | null; to: number | null }> {
  const counted = interactionReward(before);
  const reward = interactionReward(after);
  const change = { from: counted, to: reward };
  const model = after.model_used;
  const routedAs = isTaskType(after.task_type) ? after.task_type : null;
  const taskType = statedTaskType(after) ?? routedAs;
  if (!model || !taskType || after.status !== "completed") return change;
  // Where it has counted so far: under the task type stated before (it moved there then), else the routed one.
  const countedAs = statedTaskType(before) ?? routedAs;
  if (counted !== null && countedAs && countedAs !== taskType) {
    await dropOutcome({ taskType: countedAs, model, reward: counted });
    if (reward !== null) await recordOutcome({ taskType, model, reward, success: reward >= SUCCESS_AT, countOutcome: false, rating });
  } else if (reward !== null && (reward !== counted || rating !== undefined)) {
    if (counted !== null) await correctOutcome({ taskType, model, from: counted, to: reward, rating });
    else await recordOutcome({ taskType, model, reward, success: reward >= SUCCESS_AT, countOutcome: false, rating });
  }
  if (reward === null) return change;
  if (reward !== counted) {
    await reviseParamsArm(after, model, counted, reward);
    await reviseKnowledge(after, counted, reward);
  }
  // A pattern counts a verdict, not the automatic checks: the same reward from a person's word can turn it.
  await revisePattern(before, after);
  return change;
}

/** The sampling parameters the answer was made with count it once as well (under the task type it ran as). */
async function reviseParamsArm(after: InteractionRow, model: string, counted: number | null, reward: number): Promise<void> {
  const armId = readDecision(after.routing_decision).armId;
  const taskType = isTaskType(after.task_type) ? after.task_type : null;
  if (!armId || !taskType || !paramArmsFor(taskType).some((a) => a.id === armId)) return;
  const normalizedLatency = (after.response_time ?? 0) / PARAMS_LATENCY_BUDGET_MS;
  if (counted === null) await recordParamsOutcome({ model, taskType, armId, quality: reward, normalizedLatency });
  else await correctParamsOutcome({ model, taskType, armId, from: paramsReward({ quality: counted, normalizedLatency }), to: paramsReward({ quality: reward, normalizedLatency }) });
}

/** The knowledge entries the answer used: their share of success moves with its reward (counted when it finished). */
async function reviseKnowledge(after: InteractionRow, counted: number | null, reward: number): Promise<void> {
  const ids = (readDecision(after.routing_decision).knowledge ?? []).map((k) => k.id);
  if (counted === null) await recordKnowledgeOutcome(ids, reward);
  else await correctKnowledgeOutcome(ids, { from: counted, to: reward });
}

/**
 * The routing pattern the answer followed, when the pattern's model answered: counted a
 * success when it finished; what a person or their behaviour says of it since decides it
 * (reward ≥ 0.5), the counts moving instead of adding.
 */
async function revisePattern(before: InteractionRow, after: InteractionRow): Promise<void> {
  const d = readDecision(after.routing_decision);
  if (d.reason !== "pattern" || !d.pattern || !after.model_used || !d.chain?.[0] || !sameModel(after.model_used, d.chain[0])) return;
  const verdict = (r: OutcomeRow) => {
    const judged = interactionJudgement(r);
    return judged && judged.source !== "automatic" ? judged.success : true;
  };
  await correctPatternOutcome(d.pattern.id, { from: verdict(before), to: verdict(after) });
}
