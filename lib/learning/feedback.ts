import "server-only";
import type { Identity } from "@/lib/auth";
import { asSystem, withUser } from "@/lib/db";
import { getInteraction, getInteractionEmbedding, listInteractions, recordFeedback, type InteractionRow } from "@/lib/db/queries/interactions";
import { AppError } from "@/lib/errors";
import { confirmedTaskType, isTaskType, readDecision, sameModel, type TaskType } from "@/lib/domain";
import { currentRoster } from "@/lib/roster/current";
import { rewardFrom, type AutoSignals } from "@/lib/domain/reward";
import { learningState, recordOutcome, recordVoterOutcome } from "./store";
import { VOTERS, type VoterName } from "@/lib/learning/ensemble";
import { policyMeans } from "./policy";
import { reinforceRoutingPattern } from "./patterns";
import { learnFromGoodAnswer, queueCorrection, recordKnowledgeOutcome } from "@/lib/knowledge/manager";

export interface FeedbackPatch {
  interactionId: string;
  thumbs?: "up" | "down";
  rating?: number;
  tags?: string[];
  correction?: string;
  betterModel?: string;
  copied?: true;
  preferred?: true;
  /** The task type the request really was, as its user (or an operator) says. */
  taskType?: TaskType;
}

const NEUTRAL_AUTO: AutoSignals = { truncated: false, empty: false, refused: false, hasCodeBlock: true, codeExpected: false, mathAnswerPresent: true, mathExpected: false };

/**
 * Saves a user's feedback on their own answer and feeds it to the learning at once:
 * ratings and thumbs move the routing posterior of (task type, model); "model X would have
 * been better" and a preferred regenerated answer create or strengthen a routing pattern;
 * a correction becomes a knowledge entry awaiting an operator's approval.
 */
export async function learnFromFeedback(identity: Identity, f: FeedbackPatch): Promise<{ message: string }> {
  const roster = await currentRoster();
  if (f.betterModel && !Object.values(roster.roles).some((m) => sameModel(m, f.betterModel!))) {
    throw new AppError("bad_request:chat", `betterModel: "${f.betterModel}" is not one of the roster's models.`);
  }
  // Authorise: the interaction must be the caller's (RLS lets operators read others' but not write them).
  const { row, before, siblings } = await withUser(identity.claims, async (tx) => {
    const before = await getInteraction(tx, { id: f.interactionId });
    if (!before || before.user_id !== identity.userId) throw new AppError("not_found:chat", "That answer does not exist (or is not yours).");
    const { interactionId, rating, ...rest } = f;
    void interactionId;
    const patch: Record<string, unknown> = { ...rest, updatedAt: new Date().toISOString() };
    if (rating !== undefined) patch.rating = rating;
    const row = await recordFeedback(tx, { id: f.interactionId, rating: rating ?? null, feedback: patch });
    if (!row) throw new AppError("not_found:chat", "That answer does not exist (or is not yours).");
    let siblings: InteractionRow[] = [];
    if (f.preferred) {
      const root = row.parent_id ?? row.id;
      siblings = (await listInteractions(tx, { conversationId: row.conversation_id })).filter((r) => r.id === root || r.parent_id === root);
      for (const s of siblings) {
        if (s.id !== row.id && (s.feedback as { preferred?: boolean }).preferred) await recordFeedback(tx, { id: s.id, feedback: { preferred: false } });
      }
    }
    return { row, before, siblings };
  });

  const notes: string[] = [];
  // A label confirmed by this feedback teaches the classifiers: a stated task type always;
  // the classified one when the answer was rated well and nobody disputed it.
  const confirmedNow = confirmedTaskType(row);
  if (confirmedNow && confirmedNow !== confirmedTaskType(before)) {
    const voters = (readDecision(row.routing_decision).voters ?? []).filter(
      (v): v is { name: VoterName; taskType: TaskType; confidence: number } => (VOTERS as readonly string[]).includes(v.name) && isTaskType(v.taskType),
    );
    await recordVoterOutcome({ votes: voters, outcome: confirmedNow });
    if (f.taskType) notes.push(`the classifiers learn that this was ${f.taskType.replace(/_/g, " ")}`);
  }

  // Outcomes count for the task type the request really was.
  const taskType = f.taskType ?? (isTaskType(row.task_type) ? row.task_type : null);
  const model = row.model_used;
  if (!taskType || !model || row.status !== "completed") return { message: notes.length ? `Saved: ${notes.join("; ")}.` : "Saved." };

  const prev = before.feedback as { thumbs?: string; copied?: boolean };
  const update = (m: string, reward: number, rating?: number) =>
    recordOutcome({ taskType, model: m, reward, success: reward >= 0.5, countOutcome: false, rating });

  if (f.rating !== undefined) await update(model, rewardFrom({ rating: f.rating as 1 | 2 | 3 | 4 | 5, auto: NEUTRAL_AUTO }).reward, f.rating);
  if (f.thumbs && f.thumbs !== prev.thumbs) await update(model, rewardFrom({ thumbs: f.thumbs, auto: NEUTRAL_AUTO }).reward);
  if (f.copied && !prev.copied) await update(model, rewardFrom({ copied: true, auto: NEUTRAL_AUTO }).reward);
  if (f.tags?.includes("wrong") || f.tags?.includes("incomplete")) await update(model, 0.2);
  if (f.tags?.includes("great")) await update(model, 1);
  if (f.correction) {
    await update(model, rewardFrom({ corrected: true, auto: NEUTRAL_AUTO }).reward);
    await queueCorrection(identity, row, f.correction);
    notes.push("the correction awaits an operator's review for the knowledge base");
  }

  // Knowledge: a good answer joins the catalogue of solutions; the entries it used follow its verdict.
  const verdict =
    f.rating !== undefined ? (f.rating >= 4 ? true : f.rating <= 2 ? false : null) : f.thumbs && f.thumbs !== prev.thumbs ? f.thumbs === "up" : null;
  if (verdict !== null) {
    const used = (readDecision(row.routing_decision).knowledge ?? []).map((k) => k.id);
    await recordKnowledgeOutcome(used, verdict);
    if (verdict) {
      const learned = await learnFromGoodAnswer(row, { rating: f.rating, thumbs: f.thumbs });
      if (learned) notes.push(learned.merged ? "the answer strengthened a similar solution in the knowledge base" : "the answer joined the knowledge base's solutions");
    }
  }

  const better = f.betterModel
    ? { model: f.betterModel, worse: model, rootId: row.id }
    : f.preferred
      ? preferredOver(row, siblings)
      : null;
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
      });
      notes.push(`similar requests will now go to ${better.model} (pattern confidence ${Math.round(p.confidence * 100)}%)`);
    }
  }
  if (f.preferred) {
    for (const s of siblings) if (s.model_used && isTaskType(s.task_type)) await recordOutcome({ taskType: s.task_type, model: s.model_used, reward: s.id === row.id ? 1 : 0, success: s.id === row.id, countOutcome: false });
  }

  const state = await learningState();
  const role = roster.roleOf(model);
  const mean = role ? policyMeans(taskType, [{ model, role }], state.policy, Date.now())[model] : undefined;
  if (mean !== undefined) notes.unshift(`${model} now expected to succeed at ${taskType} ${Math.round(mean * 100)}% of the time`);
  return { message: `Saved: ${notes.join("; ")}.` };
}

/** For a preferred sibling: the model chosen, the model it beat (the original answer's), the request. */
function preferredOver(row: InteractionRow, siblings: InteractionRow[]): { model: string; worse: string | null; rootId: string } | null {
  const rootId = row.parent_id ?? row.id;
  const root = siblings.find((s) => s.id === rootId);
  if (!row.model_used) return null;
  return { model: row.model_used, worse: root && root.id !== row.id ? root.model_used : null, rootId };
}
