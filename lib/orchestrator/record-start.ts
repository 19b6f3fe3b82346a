import "server-only";
import { asSystemBatch } from "@/lib/db";
import { createConversationStatement, touchConversationStatement } from "@/lib/db/queries/conversations";
import { startInteractionStatement, type NewInteraction } from "@/lib/db/queries/interactions";
import { instanceId } from "./recovery";

/** Who asked what, where: the part of a recorded request the chat knows before routing. */
export interface RecordedRequest {
  conversationId: string;
  /** the conversation is written with its first interaction, in the same transaction */
  isNewConversation: boolean;
  userId: string;
  prompt: string;
  parentId?: string;
  source: "chat" | "api";
}

/** The title of a new conversation: its first line, shortened. */
export function conversationTitle(prompt: string): string {
  const line = prompt.trim().split("\n")[0].replace(/\s+/g, " ");
  return line.length > 60 ? `${line.slice(0, 57)}…` : line || "New conversation";
}

/**
 * The server records the request (users cannot write interactions): the conversation first
 * when it is new (prepareChat checked an existing one is the caller's), then the interaction,
 * marked with the instance answering it (crash recovery). One transaction, sent as one batch:
 * the statements need nothing from each other (the ids are chosen here).
 */
export async function recordStart(r: RecordedRequest, i: Omit<NewInteraction, "conversationId" | "userId" | "prompt" | "parentId" | "source" | "instanceId">): Promise<{ id: string; created_at: Date }> {
  const interaction = startInteractionStatement({ ...i, conversationId: r.conversationId, userId: r.userId, prompt: r.prompt, parentId: r.parentId, source: r.source, instanceId: instanceId() });
  const statements = r.isNewConversation
    ? [createConversationStatement({ id: r.conversationId, userId: r.userId, title: conversationTitle(r.prompt) }), interaction]
    : [interaction, touchConversationStatement({ id: r.conversationId })];
  const results = await asSystemBatch(statements);
  return results[statements.indexOf(interaction)].rows[0] as { id: string; created_at: Date };
}
