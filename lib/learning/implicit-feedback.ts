import "server-only";
import { asSystem } from "@/lib/db";
import type { InteractionRow } from "@/lib/db/queries/interactions";
import { abandonedBrokenAnswers, recordServerFeedback } from "@/lib/db/queries/interaction-feedback";
import { getInteractionEmbedding } from "@/lib/db/queries/request-embeddings";
import { isTaskType, type ImplicitSignal } from "@/lib/domain";
import { reviseAnswerReward } from "./answer-reward";
import { ABANDONED_AFTER_MS, readFollowUp, SIGNAL_EXAMPLES } from "./implicit-signal";
import { classifyFollowUp } from "./follow-up-classifier";
import { fixedEmbeddings, similarityScale } from "./similarity-calibration";
import { cosineSimilarity as cosine } from "./vectors";

/**
 * Most users never press a button: the next message in a conversation says how the answer
 * before it went (lib/learning/implicit-signal.ts), and so does leaving after a broken one.
 * The signal becomes part of that answer's reward (weaker than a rating), for its model, its
 * parameter arm and the routing pattern that chose it, and is kept on the answer
 * (`feedback.implicit`, written by the server) for "Why this model?" and the dashboard.
 */
const SIGNAL_TEXTS = [...SIGNAL_EXAMPLES.failed, ...SIGNAL_EXAMPLES.thanks];

async function exampleEmbeddings(model: string): Promise<Record<"failed" | "thanks", number[][]>> {
  const all = await fixedEmbeddings(model, "follow-up signals", SIGNAL_TEXTS);
  return { failed: all.slice(0, SIGNAL_EXAMPLES.failed.length), thanks: all.slice(SIGNAL_EXAMPLES.failed.length) };
}

export async function learnFromFollowUp(f: {
  previous: InteractionRow;
  /** the new message and its embedding (null when the embedding model is away) */
  text: string;
  embedding: number[] | null;
  embeddingModel: string;
  followUpId: string;
}): Promise<ImplicitSignal | null> {
  const prev = f.previous;
  if (prev.status !== "completed" || !prev.model_used || !isTaskType(prev.task_type)) return null;
  if ((prev.feedback as { implicit?: unknown }).implicit) return null; // one follow-up speaks for an answer
  let toPrevious: number | null = null;
  let toExamples: Record<"failed" | "thanks", number> | null = null;
  const scale = f.embedding ? await similarityScale(f.embeddingModel).catch(() => null) : null;
  if (f.embedding && scale) {
    const [ex, prevEmb] = await Promise.all([exampleEmbeddings(f.embeddingModel).catch(() => null), asSystem((tx) => getInteractionEmbedding(tx, { id: prev.id }))]);
    if (prevEmb?.model === f.embeddingModel) toPrevious = cosine(f.embedding, prevEmb.embedding);
    if (ex) toExamples = { failed: Math.max(...ex.failed.map((v) => cosine(f.embedding!, v))), thanks: Math.max(...ex.thanks.map((v) => cosine(f.embedding!, v))) };
  }
  const signal = readFollowUp({ text: f.text, classify: classifyFollowUp, toPrevious, toExamples, examples: SIGNAL_TEXTS.length, scale });
  if (!signal) return null;
  await applySignal(prev, signal, f.followUpId);
  return signal;
}

/**
 * Broken answers their users left (lib/db/queries/interactions.ts abandonedBrokenAnswers):
 * each counts as a weak poor outcome, as a follow-up saying it failed would. Run by the
 * learning scheduler's tick, in one instance at a time; returns the answers it read so.
 */
export async function learnFromAbandonment(): Promise<string[]> {
  const rows = await asSystem((tx) => abandonedBrokenAnswers(tx, { quietForMs: ABANDONED_AFTER_MS, withinMs: ABANDONED_WITHIN_MS }));
  const read: string[] = [];
  for (const prev of rows) {
    if (!prev.model_used || !isTaskType(prev.task_type)) continue;
    await applySignal(prev, "abandoned", null);
    read.push(prev.id);
  }
  return read;
}

/**
 * Asking for another answer to the same request is an implicit verdict on the one
 * regenerated: kept on it (`feedback.regenerated`, written by the server), part of its reward.
 */
export async function learnFromRegeneration(of: InteractionRow): Promise<void> {
  if (of.status !== "completed" || !of.model_used || (of.feedback as { regenerated?: unknown }).regenerated === true) return;
  const written = await asSystem((tx) => recordServerFeedback(tx, { id: of.id, feedback: { regenerated: true } }));
  if (written) await reviseAnswerReward(written);
}

/** How far back abandoned answers are looked for (older ones were read on an earlier tick, or never will be). */
const ABANDONED_WITHIN_MS = 24 * 3_600_000;

/**
 * A signal is part of the answer's reward (lib/domain/reward.ts): kept on the answer
 * (`feedback.implicit`, written by the server), it moves the evidence of the answer's model,
 * its parameter arm, the knowledge it used and the routing pattern that chose it from the
 * reward counted before (reviseAnswerReward: the answer still counts once).
 */
async function applySignal(prev: InteractionRow, signal: ImplicitSignal, by: string | null): Promise<void> {
  const written = await asSystem((tx) => recordServerFeedback(tx, { id: prev.id, feedback: { implicit: { signal, by, at: new Date().toISOString() } } }));
  if (written) await reviseAnswerReward(written);
}
