import "server-only";
import type { Identity } from "@/lib/auth";
import { asSystem } from "@/lib/db";
import { getInteractionEmbedding, type InteractionRow } from "@/lib/db/queries/interactions";
import { confirmedTaskType, isTaskType, readDecision, sameModel, type TaskType } from "@/lib/domain";
import { currentRoster } from "@/lib/roster/current";
import { interactionReward } from "@/lib/domain/reward";
import { correctOutcome, correctParamsOutcome, learningState, recordOutcome, recordParamsOutcome, recordVoterOutcome } from "./store";
import { PARAMS_LATENCY_BUDGET_MS, paramArmsFor, paramsReward } from "./params";
import { VOTERS, type VoterName } from "./ensemble";
import { policyMeans } from "./policy";
import { recordPatternOutcome, reinforceRoutingPattern } from "./patterns";
import { saveFeedback, type FeedbackPatch, type SavedFeedback } from "./feedback-record";
import { learnFromGoodAnswer, queueCorrection, recordKnowledgeOutcome } from "@/lib/knowledge/manager";

export type { FeedbackPatch } from "./feedback-record";

/** Reward of an answer a quick tag judged: "wrong"/"incomplete" poor, "great" full. */
const TAG_REWARD: Readonly<Record<string, number>> = { wrong: 0.2, incomplete: 0.2, great: 1 };

/**
 * Saves a user's feedback on their own answer (lib/learning/feedback-record.ts) and feeds it
 * to the learning at once: a confirmed task type teaches the classifiers; ratings, thumbs,
 * tags and copies move the routing posterior of (task type, model); a good or poor verdict
 * moves the knowledge the answer used; "model X would have been better" and a preferred
 * regenerated answer create or strengthen a routing pattern; a correction awaits an
 * operator's approval for the knowledge base. Returns what changed, in words.
 */
export async function learnFromFeedback(identity: Identity, f: FeedbackPatch): Promise<{ message: string }> {
  const saved = await saveFeedback(identity, f);
  const notes = await teachTaskType(saved, f);
  const { row } = saved;
  // Outcomes count for the task type the request really was (as stated now or before).
  const stated = (row.feedback as { taskType?: unknown }).taskType;
  const taskType = f.taskType ?? (isTaskType(stated) ? stated : isTaskType(row.task_type) ? row.task_type : null);
  const model = row.model_used;
  if (!taskType || !model || row.status !== "completed") return { message: notes.length ? `Saved: ${notes.join("; ")}.` : "Saved." };

  const update = (m: string, reward: number, rating?: number) => recordOutcome({ taskType, model: m, reward, success: reward >= 0.5, countOutcome: false, rating });
  const correct = (m: string, from: number, to: number, rating?: number) => correctOutcome({ taskType, model: m, from, to, rating });
  notes.push(...(await teachRouting(identity, saved, f, model, taskType, update, correct)));
  notes.push(...(await teachKnowledge(saved, f)));
  notes.push(...(await teachPatterns(saved, f, taskType, model, update)));

  const state = await learningState();
  const role = (await currentRoster()).roleOf(model);
  // A model routed without a role has no role prior: its estimate starts neutral (priorFor).
  const mean = policyMeans(taskType, [{ model, role }], state.policy, Date.now())[model];
  // One decimal: a single outcome moves a well-known model's estimate by less than a point.
  notes.unshift(`${model} now expected to succeed at ${taskType} ${(mean * 100).toFixed(1)}% of the time`);
  return { message: `Saved: ${notes.join("; ")}.` };
}

type Update = (model: string, reward: number, rating?: number) => Promise<unknown>;
type Correct = (model: string, from: number, to: number, rating?: number) => Promise<unknown>;

/** A label confirmed by this feedback teaches the voters: a stated task type always; the classified one when rated well and undisputed. */
async function teachTaskType({ row, before }: SavedFeedback, f: FeedbackPatch): Promise<string[]> {
  const confirmed = confirmedTaskType(row);
  if (!confirmed || confirmed === confirmedTaskType(before)) return [];
  const voters = (readDecision(row.routing_decision).voters ?? []).filter(
    (v): v is { name: VoterName; taskType: TaskType; confidence: number } => (VOTERS as readonly string[]).includes(v.name) && isTaskType(v.taskType),
  );
  await recordVoterOutcome({ votes: voters, outcome: confirmed });
  return f.taskType ? [`the classifiers learn that this was ${f.taskType.replace(/_/g, " ")}`] : [];
}

/**
 * Ratings, thumbs, copies, tags and corrections as rewards for the model that answered. The
 * answer counts once: a rating, thumbs, a copy or a correction changes the answer's reward
 * (interactionReward, as the dashboard reads it) and the posterior moves by the change, from
 * what was counted for it (the automatic reward when it finished, or an earlier verdict).
 * Only when nothing was counted under the task type it now counts for (no automatic reward,
 * or the user says it was another task type than it was routed as) is it a new outcome.
 * Quick tags add an outcome of their own.
 */
async function teachRouting(identity: Identity, { row, before }: SavedFeedback, f: FeedbackPatch, model: string, taskType: TaskType, update: Update, correct: Correct): Promise<string[]> {
  const decision = readDecision(row.routing_decision);
  const counted = interactionReward(before);
  const reward = interactionReward(row);
  if (reward !== null && (reward !== counted || f.rating !== undefined)) {
    if (counted !== null && taskType === decision.taskType) await correct(model, counted, reward, f.rating);
    else await update(model, reward, f.rating);
  }
  const tagRewards = new Set((f.tags ?? []).map((t) => TAG_REWARD[t]).filter((r) => r !== undefined));
  for (const reward of tagRewards) await update(model, reward);
  // The sampling parameters the answer was made with count it once as well: its verdict replaces the automatic quality.
  const armId = decision.armId;
  const armTaskType = isTaskType(row.task_type) ? row.task_type : null;
  if (reward !== null && reward !== counted && armId && armTaskType && paramArmsFor(armTaskType).some((a) => a.id === armId)) {
    const normalizedLatency = (row.response_time ?? 0) / PARAMS_LATENCY_BUDGET_MS;
    if (counted === null) await recordParamsOutcome({ model, taskType: armTaskType, armId, quality: reward, normalizedLatency });
    else await correctParamsOutcome({ model, taskType: armTaskType, armId, from: paramsReward({ quality: counted, normalizedLatency }), to: paramsReward({ quality: reward, normalizedLatency }) });
  }
  if (!f.correction) return [];
  await queueCorrection(identity, row, f.correction);
  return ["the correction awaits an operator's review for the knowledge base"];
}

/** A good answer joins the catalogue of solutions; the entries it used follow its verdict. */
async function teachKnowledge(saved: SavedFeedback, f: FeedbackPatch): Promise<string[]> {
  const { row } = saved;
  const verdict = verdictOf(saved, f);
  if (verdict === null) return [];
  await recordKnowledgeOutcome((readDecision(row.routing_decision).knowledge ?? []).map((k) => k.id), verdict);
  if (!verdict) return [];
  const learned = await learnFromGoodAnswer(row, { rating: f.rating, thumbs: f.thumbs });
  return learned ? [learned.merged ? "the answer strengthened a similar solution in the knowledge base" : "the answer joined the knowledge base's solutions"] : [];
}

/** A rating or thumbs on an answer: true (good), false (poor) or null (neither, or not new). */
function verdictOf({ before }: SavedFeedback, f: FeedbackPatch): boolean | null {
  const prevThumbs = (before.feedback as { thumbs?: string }).thumbs;
  if (f.rating !== undefined) return f.rating >= 4 ? true : f.rating <= 2 ? false : null;
  return f.thumbs && f.thumbs !== prevThumbs ? f.thumbs === "up" : null;
}

/**
 * "Model X would have been better", or a preferred regeneration: a routing pattern, and
 * outcomes for the siblings. A verdict on an answer a pattern routed grows the pattern's
 * region by the request (good) or carves it out (poor).
 */
async function teachPatterns(saved: SavedFeedback, f: FeedbackPatch, taskType: TaskType, model: string, update: Update): Promise<string[]> {
  const { row, siblings } = saved;
  const notes: string[] = [];
  const followed = readDecision(row.routing_decision);
  const verdict = verdictOf(saved, f);
  if (followed.reason === "pattern" && followed.pattern && verdict !== null && !f.betterModel) {
    const emb = await asSystem((tx) => getInteractionEmbedding(tx, { id: row.id }));
    await recordPatternOutcome(followed.pattern.id, verdict, emb ? { embedding: emb.embedding, embeddingModel: emb.model, taskType, interactionId: row.id, userId: row.user_id, grow: verdict } : undefined);
    notes.push(verdict ? "the routing pattern that chose this model now covers requests like it more surely" : "the routing pattern that chose this model no longer covers requests like this one");
  }
  const better = f.betterModel ? { model: f.betterModel, worse: model, rootId: row.id } : f.preferred ? preferredOver(row, siblings) : null;
  if (better && !sameModel(better.model, model)) {
    const emb = await asSystem((tx) => getInteractionEmbedding(tx, { id: better.rootId }));
    await update(better.worse ?? model, 0);
    if (emb) {
      const p = await reinforceRoutingPattern({
        embedding: emb.embedding,
        embeddingModel: emb.model,
        taskType,
        betterModel: better.model,
        worseModel: better.worse ?? model,
        interactionId: better.rootId,
        userId: row.user_id,
      });
      const whose = p.shared ? "everyone's similar requests" : "your similar requests";
      notes.push(`${whose} will now go to ${better.model} (pattern confidence ${Math.round(p.confidence * 100)}%)`);
    }
  }
  if (f.preferred) {
    for (const s of siblings) if (s.model_used && isTaskType(s.task_type)) await recordOutcome({ taskType: s.task_type, model: s.model_used, reward: s.id === row.id ? 1 : 0, success: s.id === row.id, countOutcome: false });
  }
  return notes;
}

/** For a preferred sibling: the model chosen, the model it beat (the original answer's), the request. */
function preferredOver(row: InteractionRow, siblings: InteractionRow[]): { model: string; worse: string | null; rootId: string } | null {
  const rootId = row.parent_id ?? row.id;
  const root = siblings.find((s) => s.id === rootId);
  if (!row.model_used) return null;
  return { model: row.model_used, worse: root && root.id !== row.id ? root.model_used : null, rootId };
}
