import "server-only";
import type { Identity } from "@/lib/auth";
import { withUser } from "@/lib/db";
import { getConversation, listConversations, type ListedConversation } from "@/lib/db/queries/conversations";
import { listInteractions, type InteractionRow } from "@/lib/db/queries/interactions";
import { getRoster, getRoutedModels } from "@/lib/db/queries/roster";
import { roleLabel } from "@/lib/domain/roles";
import { rosterFromRows } from "@/lib/domain/roster";
import { decisionSchema } from "./events";
import type { ConversationSummary, Feedback, ModelChoice, Turn } from "./types";


export function turnFromRow(row: InteractionRow): Turn {
  const decision = decisionSchema.safeParse(row.routing_decision);
  const d = decision.success ? decision.data : null;
  const err = row.error as { code?: string; message?: string } | null;
  return {
    id: row.id,
    parentId: row.parent_id,
    prompt: row.user_prompt,
    response: row.response ?? "",
    // A row still "started" when read back is being answered elsewhere or was cut off before
    // recovery marked it: shown as interrupted, with the text checkpointed so far.
    status: row.status === "started" ? "interrupted" : row.status,
    decision: d,
    notices: d ? d.attempts.filter((a) => !a.ok) : [],
    error: err
      ? { code: err.code ?? "failed", message: err.message ?? "The answer failed." }
      : row.status === "started"
        ? { code: "interrupted", message: "This answer was interrupted (the server stopped while answering)." }
        : null,
    rating: row.success_rating,
    feedback: (row.feedback ?? {}) as Feedback,
    createdAt: row.created_at.toISOString(),
  };
}

/** A listed conversation as the chat's sidebar shows it. */
export function conversationSummary(c: ListedConversation): ConversationSummary {
  return { id: c.id, title: c.title, updatedAt: c.updated_at.toISOString(), fromApi: c.from_api };
}

export async function loadChat(identity: Identity, conversationId: string | null) {
  return withUser(identity.claims, async (tx) => {
    const conversations = (await listConversations(tx, { userId: identity.userId })).map(conversationSummary);
    const roster = rosterFromRows(await getRoster(tx), await getRoutedModels(tx));
    const models: ModelChoice[] = roster.routed.map(({ model, role }) => ({ model, role: role ?? "", label: `${model} (${role ? roleLabel(role, { inSentence: true }) : "no role"})` }));
    if (!conversationId) return { found: true as const, conversations, models, turns: [] as Turn[], title: null };
    const conversation = await getConversation(tx, { id: conversationId });
    if (!conversation || conversation.user_id !== identity.userId) return { found: false as const };
    const turns = (await listInteractions(tx, { conversationId })).map(turnFromRow);
    return { found: true as const, conversations, models, turns, title: conversation.title };
  });
}
