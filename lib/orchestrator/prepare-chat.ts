import "server-only";
import { enforceRateLimit } from "@/lib/auth/rate-limit";
import type { Identity } from "@/lib/auth";
import { withUser } from "@/lib/db";
import { getConversation } from "@/lib/db/queries/conversations";
import { listInteractions, type InteractionRow } from "@/lib/db/queries/interactions";
import { AppError } from "@/lib/errors";
import type { ChatMessage, Tool } from "@/lib/ollama";
import { isClientTask, isRoutedModel, type AnswerLimits } from "@/lib/domain";
import { currentRoster } from "@/lib/roster/current";
import { toolCallsOfAnswer } from "@/lib/chat/tool-call-answer";
import { threadLookups, type ThreadLookups } from "./api-thread";

/** A request checked and ready to answer: who asks, what, in which conversation, with what history and limits. */
export interface PreparedChat {
  identity: Identity;
  conversationId: string | null;
  prompt: string;
  history: ChatMessage[];
  regenerateOf: InteractionRow | null;
  forcedModel?: string;
  /** Where the request came from (`interactions.source`): the chat UI or the compatible APIs. */
  source: "chat" | "api";
  /**
   * The answer this message follows up on (its implicit verdict: lib/learning/implicit-feedback.ts),
   * found while the answer runs: only what the answer teaches needs it.
   */
  previous?: ThreadLookups["previous"];
  /** An API client asking for another answer: recorded and learned as the chat's regeneration is, with the model routed afresh. */
  askedAgain?: ThreadLookups["askedAgain"];
  /** the answer an agent's loop continues: its conversation is this request's */
  continues?: ThreadLookups["continues"];
  /** functions the model may call (compatible APIs): only models that support tools are routed to */
  tools?: Tool[];
  /** an agent's turns after the prompt: the functions the answer called and their results */
  tail?: ChatMessage[];
  /** structured output the client asked for ("json" or a JSON schema) */
  format?: "json" | Record<string, unknown>;
  /** the client asked thinking models to show their reasoning */
  think?: boolean;
  /** the client's limits on the answer (compatible APIs): its token limit and stop strings */
  limits?: AnswerLimits;
  /** a client's housekeeping (lib/domain/client-task.ts): answered and recorded, kept out of the chat list and the learning */
  clientTask?: boolean;
}

/**
 * Earlier turns as chat messages: each answered prompt once, with its preferred (or first
 * good) answer. An agent's steps that only called functions are left out: their calls ran in
 * the editor, and the answer written after them stands for the turn.
 */
function historyFrom(rows: InteractionRow[], limit = 10): ChatMessage[] {
  const answers = new Map<string, InteractionRow>();
  for (const r of rows) {
    if (r.status !== "completed" || !r.response || toolCallsOfAnswer(r.response)) continue;
    const root = r.parent_id ?? r.id;
    const cur = answers.get(root);
    if (!cur || (r.feedback as { preferred?: boolean }).preferred) answers.set(root, r);
  }
  return [...answers.values()]
    .slice(-limit)
    .flatMap((r) => [
      { role: "user" as const, content: r.user_prompt },
      { role: "assistant" as const, content: r.response ?? "" },
    ]);
}

/**
 * Everything that can be refused before the answer starts streaming: the conversation must
 * be the caller's (RLS and an explicit check), a regenerated answer must be in it, a forced
 * model must be in the roster. The compatible APIs pass the earlier turns themselves
 * (`history`, with a new conversation) and `source: "api"`.
 */
export async function prepareChat(
  identity: Identity,
  input: {
    conversationId: string | null;
    prompt: string;
    regenerateOf?: string;
    model?: string;
    history?: ChatMessage[];
    source?: "chat" | "api";
    tools?: Tool[];
    tail?: ChatMessage[];
    format?: "json" | Record<string, unknown>;
    think?: boolean;
    limits?: AnswerLimits;
    /** the interaction whose tool calls the tail answers */
    continues?: string;
  },
): Promise<PreparedChat> {
  await enforceRateLimit(identity.userId, "chat", { surface: input.source === "api" ? "api" : "chat" });
  const roster = await currentRoster();
  if (input.model && !isRoutedModel(roster, input.model)) {
    throw new AppError("bad_request:chat", `model: "${input.model}" is not one of the roster's models (nor routed without a role).`);
  }
  if (input.history || !input.conversationId) {
    if (input.history && (input.conversationId || input.regenerateOf)) throw new AppError("bad_request:chat", "history: only for a new conversation.");
    if (input.regenerateOf) throw new AppError("bad_request:chat", "conversationId: needed to regenerate an answer.");
    // Nothing to read before the model is called. What an API client sends back names the
    // conversation it continues (lib/orchestrator/api-thread.ts), looked up while the request is planned.
    const history = input.history ?? [];
    if (input.source === "api" && isClientTask(input.prompt)) {
      // The router's small model does a client's housekeeping unless the client named one.
      return { identity, conversationId: null, prompt: input.prompt, history, regenerateOf: null, forcedModel: input.model ?? roster.roles.router, source: "api", clientTask: true, format: input.format, limits: input.limits };
    }
    const { previous, askedAgain, continues } = threadLookups(identity.userId, { history, prompt: input.prompt, tail: input.tail, continues: input.continues });
    return { identity, conversationId: null, prompt: input.prompt, history, regenerateOf: null, forcedModel: input.model, source: input.source ?? "chat", previous, askedAgain, continues, tools: input.tools, tail: input.tail, format: input.format, think: input.think, limits: input.limits };
  }
  const conversationId = input.conversationId;
  return withUser(identity.claims, async (tx) => {
    const conversation = await getConversation(tx, { id: conversationId });
    if (!conversation || conversation.user_id !== identity.userId) {
      throw new AppError("not_found:chat", "That conversation does not exist (or is not yours).");
    }
    const rows = await listInteractions(tx, { conversationId: conversation.id });
    let history: ChatMessage[];
    let regenerateOf: InteractionRow | null = null;
    if (input.regenerateOf) {
      regenerateOf = rows.find((r) => r.id === input.regenerateOf) ?? null;
      if (!regenerateOf) throw new AppError("not_found:chat", "The answer to regenerate is not in this conversation.");
      const root = regenerateOf.parent_id ?? regenerateOf.id;
      const rootRow = rows.find((r) => r.id === root)!;
      history = historyFrom(rows.filter((r) => r.created_at < rootRow.created_at));
    } else history = historyFrom(rows);
    return {
      identity,
      conversationId,
      prompt: regenerateOf ? regenerateOf.user_prompt : input.prompt,
      history,
      regenerateOf,
      forcedModel: input.model ?? (regenerateOf?.model_used ?? undefined),
      source: input.source ?? "chat",
      previous: Promise.resolve(regenerateOf ? null : (rows.findLast((r) => r.status === "completed") ?? null)),
    };
  });
}
