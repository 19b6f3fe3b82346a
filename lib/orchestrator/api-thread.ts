import "server-only";
import { asSystemStatement } from "@/lib/db";
import { getInteraction, type InteractionRow } from "@/lib/db/queries/interactions";
import { answerFollowedUp } from "@/lib/db/queries/past-interactions";
import type { ChatMessage } from "@/lib/ollama";
import { toolCallAnswer } from "@/lib/chat/tool-call-answer";

/** An answer asked for again: which, and the first answer its alternatives hang from. */
export type AnswerAskedAgain = { id: string; parent_id: string | null };

/**
 * Where an API client's request belongs. A client (Continue, Open WebUI, a script on the
 * OpenAI SDK) sends the whole conversation with every request; what it sends back says which
 * of our answers it continues, so that an editor's chat is one conversation in the chat list
 * and its next message a verdict on the answer before it. Each lookup is one statement on the
 * system path, reading only the caller's answers by its own filter, and runs while the
 * request is planned and the model starts.
 */
export interface ThreadLookups {
  /** the answer followed up on: the last answer in the history, when it is ours */
  previous: Promise<InteractionRow | null>;
  /** the same question sent again after it (a client's regenerate): the answer asked for again */
  askedAgain: Promise<AnswerAskedAgain | null>;
  /** the answer an agent's loop continues (its tool calls, sent back with their results) */
  continues: Promise<InteractionRow | null>;
}

const logged = (what: string) => (e: unknown) => {
  console.error(`finding ${what} failed`, e);
  return null;
};

export function threadLookups(userId: string, r: { history: readonly ChatMessage[]; prompt: string; tail?: readonly ChatMessage[]; continues?: string }): ThreadLookups {
  const answeredAt = r.history.findLastIndex((m) => m.role === "assistant");
  const lastAnswer = answeredAt >= 0 ? r.history[answeredAt].content : "";
  const askedThen = r.history.slice(0, answeredAt).findLast((m) => m.role === "user")?.content ?? null;
  // The same messages sent again (a regenerate) end with the question; an agent's next step has a tail.
  const question = r.tail?.length ? null : r.prompt;
  const found = lastAnswer
    ? asSystemStatement((q) => answerFollowedUp(q, { userId, response: lastAnswer, askedThen, question })).catch(logged("the answer followed up on"))
    : Promise.resolve(null);
  const previous = found.then((f) => f?.previous ?? null);
  const askedAgain = found.then((f) => f?.askedAgain ?? null);
  // An agent's loop: the step whose calls come back is named by a call's id (OpenAI's dialect),
  // else found by the calls themselves, as it recorded them (Ollama's calls carry no id).
  const id = r.continues;
  const calls = r.tail?.findLast((m) => m.role === "assistant" && m.tool_calls?.length)?.tool_calls;
  const continues = id
    ? asSystemStatement((q) => getInteraction(q, { id }))
        .then((row) => (row?.user_id === userId ? row : null)) // only the caller's own answers
        .catch(logged("the step an agent's loop continues"))
    : calls
      ? asSystemStatement((q) => answerFollowedUp(q, { userId, response: toolCallAnswer(calls), askedThen: r.prompt }))
          .then((f) => f?.previous ?? null)
          .catch(logged("the step an agent's loop continues"))
      : Promise.resolve(null);
  return { previous, askedAgain, continues };
}

/**
 * Where a request is recorded: its conversation (written with it when new), and when it asks
 * for another answer (the chat's regenerate, an API client's same question again), that
 * answer (`again`, learned from as regenerated) and the parent the new answer is recorded under.
 */
export type ConversationOfRequest = { id: string; isNew: boolean; again: AnswerAskedAgain | null; parentId?: string };

/**
 * The chat names its conversation. A request without one continues the conversation of the
 * answer it follows up on, or of the agent's step it continues, else starts its own.
 */
export async function conversationOf(
  r: { conversationId: string | null; regenerateOf: InteractionRow | null } & Partial<ThreadLookups>,
  newConversationId: string,
): Promise<ConversationOfRequest> {
  if (r.conversationId) return { id: r.conversationId, isNew: false, again: r.regenerateOf, parentId: r.regenerateOf?.id };
  const [previous, again, continued] = await Promise.all([r.previous, r.askedAgain, r.continues]);
  if (!previous) return continued ? { id: continued.conversation_id, isNew: false, again: null } : { id: newConversationId, isNew: true, again: null };
  // An API client's alternatives hang from the first answer to the question, as they show in the chat.
  return { id: previous.conversation_id, isNew: false, again: again ?? null, parentId: again ? (again.parent_id ?? again.id) : undefined };
}
