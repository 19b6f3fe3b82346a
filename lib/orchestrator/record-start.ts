import "server-only";
import type { Queryable } from "@/lib/db";
import { createConversationFor, touchConversation } from "@/lib/db/queries/conversations";
import { startInteraction } from "@/lib/db/queries/interactions";
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
 * marked with the instance answering it (crash recovery).
 */
export async function recordStart(
  tx: Queryable,
  r: RecordedRequest,
  i: Omit<Parameters<typeof startInteraction>[1], "conversationId" | "userId" | "prompt" | "parentId" | "source" | "instanceId">,
) {
  if (r.isNewConversation) await createConversationFor(tx, { id: r.conversationId, userId: r.userId, title: conversationTitle(r.prompt) });
  const row = await startInteraction(tx, { ...i, conversationId: r.conversationId, userId: r.userId, prompt: r.prompt, parentId: r.parentId, source: r.source, instanceId: instanceId() });
  if (!r.isNewConversation) await touchConversation(tx, { id: r.conversationId });
  return row;
}
