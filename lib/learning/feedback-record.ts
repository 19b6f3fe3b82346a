import "server-only";
import type { Identity } from "@/lib/auth";
import { withUser } from "@/lib/db";
import { listInteractions, type InteractionRow } from "@/lib/db/queries/interactions";
import { recordFeedback } from "@/lib/db/queries/interaction-feedback";
import { isRoutedModel, sameModel, type TaskType } from "@/lib/domain";
import { AppError } from "@/lib/errors";
import { currentRoster } from "@/lib/roster/current";
import { enforceRateLimit } from "@/lib/auth/rate-limit";

/** What a user may say about one of their answers (validated by the caller's schema first). */
export interface FeedbackPatch {
  interactionId: string;
  thumbs?: "up" | "down";
  rating?: number;
  tags?: string[];
  correction?: string;
  /** free text on what should be different (grouped by meaning by the Learning Director) */
  comment?: string;
  betterModel?: string;
  copied?: true;
  preferred?: true;
  /** The task type the request really was, as its user (or an operator) says. */
  taskType?: TaskType;
}

export interface SavedFeedback {
  /** the feedback as saved (a better model that gave the answer itself left out) */
  feedback: FeedbackPatch;
  /** the interaction after the feedback */
  row: InteractionRow;
  /** the interaction before it */
  before: InteractionRow;
  /** with `preferred`: the answers to the same request (the original and its regenerations), as they were */
  siblings: InteractionRow[];
  /** with `preferred`: the other answers to the request, now passed over (`preferred: false`), either side of it */
  passedOver: { before: InteractionRow; after: InteractionRow }[];
}

/**
 * Authorises and saves feedback: the interaction must be the caller's own (RLS lets operators
 * read others' but not write them), a better model must be in the roster, and preferring one
 * answer passes over its siblings (`preferred: false`, part of their reward). Nothing is learned here (lib/learning/feedback.ts does that).
 */
export async function saveFeedback(identity: Identity, given: FeedbackPatch): Promise<SavedFeedback> {
  let f = given;
  await enforceRateLimit(identity.userId, "feedback", { surface: "chat" });
  if (f.betterModel) {
    const roster = await currentRoster();
    if (!isRoutedModel(roster, f.betterModel)) {
      throw new AppError("bad_request:chat", `betterModel: "${f.betterModel}" is not one of the roster's models (nor routed without a role).`);
    }
  }
  return withUser(identity.claims, async (tx) => {
    // The answer as it is, locked until this feedback is saved (through the user's one write
    // path, with nothing to write): a signal the server records on it meanwhile (what the next
    // message said) waits, or is already in `before`, so the reward counted before is this one.
    const before = await recordFeedback(tx, { id: f.interactionId, feedback: {} });
    if (!before || before.user_id !== identity.userId) throw new AppError("not_found:chat", "That answer does not exist (or is not yours).");
    // "X would have been better" of X's own answer says nothing of where the request should have
    // gone (a client that routes by role may not know which model answered): no verdict.
    if (f.betterModel && before.model_used && sameModel(f.betterModel, before.model_used)) {
      const { betterModel: _answered, ...rest } = f;
      f = rest;
    }
    const { interactionId, rating, ...rest } = f;
    void interactionId;
    const patch: Record<string, unknown> = { ...rest, updatedAt: new Date().toISOString() };
    if (rating !== undefined) patch.rating = rating;
    const row = await recordFeedback(tx, { id: f.interactionId, rating: rating ?? null, feedback: patch });
    if (!row) throw new AppError("not_found:chat", "That answer does not exist (or is not yours).");
    let siblings: InteractionRow[] = [];
    const passedOver: SavedFeedback["passedOver"] = [];
    if (f.preferred) {
      const root = row.parent_id ?? row.id;
      siblings = (await listInteractions(tx, { conversationId: row.conversation_id })).filter((r) => r.id === root || r.parent_id === root);
      for (const s of siblings) {
        if (s.id === row.id || (s.feedback as { preferred?: unknown }).preferred === false) continue;
        const after = await recordFeedback(tx, { id: s.id, feedback: { preferred: false } });
        if (after) passedOver.push({ before: s, after });
      }
    }
    return { feedback: f, row, before, siblings, passedOver };
  });
}
