import { createHash } from "node:crypto";
import type { ChatMessage } from "@/lib/ollama";

/**
 * What a request's experiment arm is assigned by (lib/learning/assign.ts). In the chat, its
 * conversation. An API client's conversation is found from the answer it sends back, a lookup
 * that runs alongside the model, and the arm is needed before the model is asked; so an API
 * client's chat is known by what every one of its requests carries: the user and the chat's
 * first message. Every turn of one chat in an editor gets the same arm; two chats the user
 * opened with the same words share theirs, which costs an experiment nothing.
 */
export function experimentUnit(r: { conversationId: string | null; newConversationId: string; userId: string; source: "chat" | "api"; history: readonly ChatMessage[]; prompt: string }): string {
  if (r.conversationId) return r.conversationId;
  if (r.source !== "api") return r.newConversationId;
  const opening = r.history.find((m) => m.role === "user")?.content ?? r.prompt;
  // Its start and length tell chats apart well enough, at a cost that does not grow with the text.
  return `api:${r.userId}:${opening.length}:${createHash("sha256").update(opening.slice(0, 4096)).digest("base64url")}`;
}
