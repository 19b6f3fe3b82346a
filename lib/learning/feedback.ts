import "server-only";
import type { Identity } from "@/lib/auth";
import { asSystem } from "@/lib/db";
import type { InteractionRow } from "@/lib/db/queries/interactions";
import { getInteractionEmbedding } from "@/lib/db/queries/request-embeddings";
import { confirmedTaskType, isTaskType, readDecision, sameModel, statedTaskType, type TaskType } from "@/lib/domain";
import { currentRoster } from "@/lib/roster/current";
import { reviseAnswerReward } from "./answer-reward";
import { learningState, recordVoterOutcome } from "./store";
import { VOTERS, type VoterName } from "./ensemble";
import { policyMeans } from "./policy";
import { reinforceRoutingPattern, reshapePattern } from "./patterns";
import { saveFeedback, type FeedbackPatch, type SavedFeedback } from "./feedback-record";
import { preferenceIn } from "./model-preference";
import { learnFromGoodAnswer, queueCorrection } from "@/lib/knowledge/manager";

export type { FeedbackPatch } from "./feedback-record";

/**
 * Saves a user's feedback on their own answer (lib/learning/feedback-record.ts) and feeds it
 * to the learning at once: a confirmed task type teaches the classifiers; every verdict
 * (rating, thumbs, tags, copy, correction, preference, a better model named) changes the
 * answer's one reward, and the routing posterior of (task type, model), the parameter arm and
 * the knowledge the answer used move with it, the answer counted once
 * (lib/learning/answer-reward.ts); "model X would have been better" and a preferred
 * regenerated answer create or strengthen a routing pattern; a correction awaits an
 * operator's approval for the knowledge base. Returns what changed, in words.
 */
export async function learnFromFeedback(identity: Identity, given: FeedbackPatch): Promise<{ message: string }> {
  // "The maths specialist would have been better", written as a comment: the better model (model-preference.ts).
  const named = !given.betterModel && given.comment ? preferenceIn(given.comment, await currentRoster()) : null;
  const asked = named ? { ...given, betterModel: named.model } : given;
  const saved = await saveFeedback(identity, asked);
  // As saved: a better model that gave the answer itself is no verdict (feedback-record.ts).
  const f = saved.feedback;
  const notes = await teachTaskType(saved, f);
  if (asked.betterModel && !f.betterModel) notes.push(`${asked.betterModel} gave this answer itself: routing is left as it is`);
  else if (named) notes.push(`read from the comment: ${named.model} would have been better`);
  const { row } = saved;
  // Outcomes count for the task type the request really was (as stated now or before).
  const taskType = statedTaskType(row) ?? (isTaskType(row.task_type) ? row.task_type : null);
  const model = row.model_used;
  if (!taskType || !model || row.status !== "completed") return { message: notes.length ? `Saved: ${notes.join("; ")}.` : "Saved." };

  // Every verdict is part of the answer's one reward: the answer counts once (reviseAnswerReward).
  const { from: was, to: now } = await reviseAnswerReward({ before: saved.before, after: row, rating: f.rating });
  for (const s of saved.passedOver) await reviseAnswerReward(s);
  if (was !== null && now !== null && was !== now) notes.push(`this answer's reward is now ${now.toFixed(2)} in place of ${was.toFixed(2)} (an answer counts once)`);
  if (f.correction) {
    await queueCorrection(identity, row, f.correction);
    notes.push("the correction awaits an operator's review for the knowledge base");
  }
  notes.push(...(await teachKnowledge(saved, f)));
  notes.push(...(await teachPatterns(saved, f, taskType, model)));

  const state = await learningState();
  const role = (await currentRoster()).roleOf(model);
  // A model routed without a role has no role prior: its estimate starts neutral (priorFor).
  const mean = policyMeans(taskType, [{ model, role }], state.policy, Date.now())[model];
  // One decimal: a single outcome moves a well-known model's estimate by less than a point.
  notes.unshift(`${model} now expected to succeed at ${taskType} ${(mean * 100).toFixed(1)}% of the time`);
  return { message: `Saved: ${notes.join("; ")}.` };
}

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

/** A well-rated answer joins the catalogue of solutions (the entries it used follow its reward: reviseAnswerReward). */
async function teachKnowledge(saved: SavedFeedback, f: FeedbackPatch): Promise<string[]> {
  if (verdictOf(saved, f) !== true) return [];
  const learned = await learnFromGoodAnswer(saved.row, { rating: f.rating, thumbs: f.thumbs });
  return learned ? [learned.merged ? "the answer strengthened a similar solution in the knowledge base" : "the answer joined the knowledge base's solutions"] : [];
}

/** A rating or thumbs on an answer: true (good), false (poor) or null (neither, or not new). */
function verdictOf({ before }: SavedFeedback, f: FeedbackPatch): boolean | null {
  const prevThumbs = (before.feedback as { thumbs?: string }).thumbs;
  if (f.rating !== undefined) return f.rating >= 4 ? true : f.rating <= 2 ? false : null;
  return f.thumbs && f.thumbs !== prevThumbs ? f.thumbs === "up" : null;
}

/**
 * "Model X would have been better", or a preferred regeneration: a routing pattern (the
 * answers passed over lose their reward through their own). A verdict on an answer a pattern
 * routed grows the pattern's region by the request (good) or carves it out (poor).
 */
async function teachPatterns(saved: SavedFeedback, f: FeedbackPatch, taskType: TaskType, model: string): Promise<string[]> {
  const { row, siblings } = saved;
  const notes: string[] = [];
  const followed = readDecision(row.routing_decision);
  const verdict = verdictOf(saved, f);
  if (followed.reason === "pattern" && followed.pattern && verdict !== null && !f.betterModel) {
    const emb = await asSystem((tx) => getInteractionEmbedding(tx, { id: row.id }));
    if (emb) await reshapePattern(followed.pattern.id, { embedding: emb.embedding, embeddingModel: emb.model, taskType, interactionId: row.id, userId: row.user_id }, verdict);
    notes.push(verdict ? "the routing pattern that chose this model now covers requests like it more surely" : "the routing pattern that chose this model no longer covers requests like this one");
  }
  const better = f.betterModel ? { model: f.betterModel, worse: model, rootId: row.id } : f.preferred ? preferredOver(row, siblings) : null;
  if (better && !sameModel(better.model, model)) {
    const emb = await asSystem((tx) => getInteractionEmbedding(tx, { id: better.rootId }));
    // The pattern the passed-over answer followed counts it through that answer's reward (answer-reward.ts).
    const root = better.rootId === row.id ? row : siblings.find((s) => s.id === better.rootId);
    const rootDecision = root ? readDecision(root.routing_decision) : null;
    if (emb) {
      const p = await reinforceRoutingPattern({
        followedPatternId: rootDecision?.reason === "pattern" ? (rootDecision.pattern?.id ?? null) : null,
        embedding: emb.embedding,
        embeddingModel: emb.model,
        taskType,
        betterModel: better.model,
        worseModel: better.worse ?? model,
        interactionId: better.rootId,
        userId: row.user_id,
        followUp: rootDecision?.followUp ?? false,
      });
      const whose = p.shared ? "everyone's similar requests" : "your similar requests";
      notes.push(`${whose} will now go to ${better.model} (pattern confidence ${Math.round(p.confidence * 100)}%)`);
    }
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
