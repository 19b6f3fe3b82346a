import "server-only";
import { z } from "zod";
import { callAgent } from "@/lib/agents/agent-call";
import type { Identity } from "@/lib/auth";
import { asSystem, withUser, type Queryable } from "@/lib/db";
import type { InteractionRow } from "@/lib/db/queries/interactions";
import { addEntryOutcomes, findEntryByHash, getEntry, insertEntry, nearestLearnedEntry, updateEntry, type KnowledgeRow } from "@/lib/db/queries/knowledge";
import { AppError } from "@/lib/errors";
import { currentRoster } from "@/lib/roster/current";
import { embedTexts } from "./embed";
import { chunkHash, chunkEmbeddingText } from "./ingest";

/**
 * The Knowledge Manager: corrections become entries awaiting an operator; highly rated
 * answers become a catalogue of solutions; the confidence of an entry follows the outcomes
 * of the answers that used it; a near-duplicate is merged into the entry it repeats.
 * Embeddings are made before (never inside) a transaction.
 */

/** At or above this cosine similarity a learned entry repeats an existing one. */
export const NEAR_DUPLICATE_SIMILARITY = 0.92;
/** Pseudo-observations behind an entry's starting confidence. */
const PRIOR_WEIGHT = 4;

const topicOf = (prompt: string) => prompt.trim().split("\n")[0].replace(/\s+/g, " ").slice(0, 120) || "Untitled";

async function embedOne(text: string): Promise<{ embedding: number[]; model: string } | null> {
  const model = (await currentRoster()).embedding;
  try {
    return { embedding: (await embedTexts(model, "document", [text]))[0], model };
  } catch {
    return null; // learned without an embedding: full-text search still finds it
  }
}

/** A user's correction, kept as a `user_feedback` entry of theirs that waits for an operator's approval (then it is shared). */
export async function queueCorrection(identity: Identity, row: InteractionRow, correction: string): Promise<string | null> {
  const topic = topicOf(row.user_prompt);
  const content = `Question: ${row.user_prompt.slice(0, 2000)}\n\nCorrect answer (from a user): ${correction}`;
  const hash = chunkHash(content);
  if (await asSystem((tx) => findEntryByHash(tx, { contentHash: hash, source: "user_feedback" }))) return null;
  // The Knowledge Manager's opinion for the operator who reviews it (advisory: the operator decides).
  const review = await reviewCorrection(row.user_prompt, correction);
  return asSystem(async (tx) => {
    if (await findEntryByHash(tx, { contentHash: hash, source: "user_feedback" })) return null;
    return insertEntry(tx, {
      topic,
      content,
      source: "user_feedback",
      status: "pending",
      confidence: 0.5,
      contentHash: hash,
      interactionId: row.id,
      createdBy: identity.userId,
      ownerId: identity.userId,
      metadata: { taskType: row.task_type, model: row.model_used, ...(review ? { review } : {}) },
    });
  });
}

const reviewSchema = z.object({
  reusable: z.boolean(),
  topic: z.string().min(1).max(120),
  reason: z.string().min(1).max(400),
});

/** The Knowledge Manager (the router model) judges whether a correction is knowledge others could reuse. */
async function reviewCorrection(question: string, correction: string): Promise<(z.infer<typeof reviewSchema> & { model: string }) | null> {
  const model = (await currentRoster()).roles.router;
  const verdict = await callAgent({
    agent: "knowledge_manager",
    purpose: "review_correction",
    model,
    schema: reviewSchema,
    system:
      "You curate a coding assistant's knowledge base. A user corrected an answer. Decide whether the correction is general, " +
      "reusable knowledge (true) or specific to that user's situation or opinion (false). Answer as JSON: reusable, topic (a short title), reason (one sentence for the reviewer).",
    user: `Question: ${question.slice(0, 1500)}\n\nCorrection: ${correction.slice(0, 3000)}`,
  });
  return verdict ? { ...verdict, model } : null;
}

/**
 * A highly rated answer (4–5 stars or a thumbs up) becomes an `interaction_learning` entry of
 * its user's (private: it grounds only their requests until an operator shares it), or
 * strengthens the entry of theirs it nearly duplicates.
 */
export async function learnFromGoodAnswer(row: InteractionRow, signal: { rating?: number; thumbs?: "up" | "down" }): Promise<{ id: string; merged: boolean } | null> {
  const good = (signal.rating !== undefined && signal.rating >= 4) || signal.thumbs === "up";
  if (!good || row.status !== "completed" || !row.response?.trim()) return null;
  const topic = topicOf(row.user_prompt);
  const content = `Question: ${row.user_prompt.slice(0, 2000)}\n\nAnswer that users rated well (${row.model_used ?? "model"}):\n${row.response.slice(0, 6000)}`;
  const hash = chunkHash(content);
  const existing = await asSystem((tx) => findEntryByHash(tx, { contentHash: hash, source: "interaction_learning" }));
  if (existing) return { id: existing.id, merged: existing.status === "merged" };
  const emb = await embedOne(chunkEmbeddingText({ topic, content }));
  const confidence = signal.rating === 5 ? 0.7 : 0.6;
  return asSystem(async (tx) => {
    const near = emb ? await nearestLearnedEntry(tx, { embedding: emb.embedding, embeddingModel: emb.model, minSimilarity: NEAR_DUPLICATE_SIMILARITY, ownerId: row.user_id }) : null;
    const id = await insertEntry(tx, {
      ownerId: row.user_id,
      topic,
      content,
      source: "interaction_learning",
      status: near ? "merged" : "active",
      confidence,
      contentHash: hash,
      interactionId: row.id,
      embedding: emb?.embedding,
      embeddingModel: emb?.model,
      metadata: { taskType: row.task_type, model: row.model_used, rating: signal.rating ?? null, ...(near ? { mergedInto: near.id } : {}) },
    });
    if (near) {
      await mergeInto(tx, near, id, true);
      return { id: near.id, merged: true };
    }
    return { id, merged: false };
  });
}

async function mergeInto(tx: Queryable, target: KnowledgeRow, fromId: string, success: boolean) {
  const [merged] = await addEntryOutcomes(tx, { ids: [target.id], uses: 1, successes: success ? 1 : 0, priorWeight: PRIOR_WEIGHT });
  const meta = (merged ?? target).metadata as { mergedFrom?: string[] };
  await updateEntry(tx, { id: target.id, metadata: { mergedFrom: [...(meta.mergedFrom ?? []), fromId].slice(-50) } });
}

/** An answer that used these entries finished: their confidence follows its reward in [0, 1] (a Beta posterior from where it started). */
export async function recordKnowledgeOutcome(ids: string[], reward: number): Promise<void> {
  if (ids.length === 0) return;
  await asSystem((tx) => addEntryOutcomes(tx, { ids, uses: 1, successes: reward, priorWeight: PRIOR_WEIGHT }));
}

/** An answer that used these entries, already counted, changed its reward: its share of success moves, not another use. */
export async function correctKnowledgeOutcome(ids: string[], { from, to }: { from: number; to: number }): Promise<void> {
  if (ids.length === 0 || from === to) return;
  await asSystem((tx) => addEntryOutcomes(tx, { ids, uses: 0, successes: to - from, priorWeight: PRIOR_WEIGHT }));
}

/**
 * An operator approves an entry for everyone: a pending one (a correction) is embedded, then
 * active and shared (or merged into the shared one it repeats); an active one learned from a
 * user's answers, private to them so far, is shared.
 */
export async function approveEntry(identity: Identity, id: string): Promise<{ status: "active" | "merged"; mergedInto?: string }> {
  const entry = await withUser(identity.claims, (tx) => getEntry(tx, { id }));
  if (!entry) throw new AppError("not_found:knowledge", "That knowledge entry does not exist.");
  if (entry.status === "active" && entry.owner_id) {
    const shared = await withUser(identity.claims, (tx) => updateEntry(tx, { id, share: true, metadata: { reviewedBy: identity.userId, reviewedAt: new Date().toISOString() } }));
    if (!shared) throw new AppError("forbidden:knowledge", "Only operators can review knowledge.");
    return { status: "active" };
  }
  if (entry.status !== "pending") throw new AppError("conflict:knowledge", `That entry is already ${entry.status}.`);
  const emb = await embedOne(chunkEmbeddingText(entry));
  return withUser(identity.claims, async (tx) => {
    const near = emb ? await nearestLearnedEntry(tx, { embedding: emb.embedding, embeddingModel: emb.model, minSimilarity: NEAR_DUPLICATE_SIMILARITY, excludeId: id }) : null;
    const updated = await updateEntry(tx, {
      id,
      share: true,
      status: near ? "merged" : "active",
      embedding: emb?.embedding,
      embeddingModel: emb?.model,
      metadata: { reviewedBy: identity.userId, reviewedAt: new Date().toISOString(), ...(near ? { mergedInto: near.id } : {}) },
    });
    if (!updated) throw new AppError("forbidden:knowledge", "Only operators can review knowledge.");
    if (near) {
      await mergeInto(tx, near, id, true);
      return { status: "merged" as const, mergedInto: near.id };
    }
    return { status: "active" as const };
  });
}

export async function rejectEntry(identity: Identity, id: string): Promise<void> {
  await withUser(identity.claims, async (tx) => {
    const entry = await getEntry(tx, { id });
    if (!entry) throw new AppError("not_found:knowledge", "That knowledge entry does not exist.");
    const updated = await updateEntry(tx, { id, status: "rejected", metadata: { reviewedBy: identity.userId, reviewedAt: new Date().toISOString() } });
    if (!updated) throw new AppError("forbidden:knowledge", "Only operators can review knowledge.");
  });
}
