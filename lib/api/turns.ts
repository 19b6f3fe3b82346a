/**
 * The conversation a compatible endpoint received, as the orchestrator takes it: OpenAI
 * messages turned into Ollama's turns, and the turns split into the prompt (the user's last
 * message), the history before it and an agent's tool calls after it. Errors name the field.
 */
import type { OpenAIChatBody } from "./schemas";

/** A turn in Ollama's terms (what the models get): tool calls with their arguments as objects. */
export interface Turn {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  tool_calls?: { function: { name: string; arguments: Record<string, unknown> } }[];
  tool_name?: string;
}

/** The arguments an OpenAI client sent as a JSON string, as the object Ollama takes. */
function argumentsOf(text: string, field: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text || "{}") as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  throw new TurnError(field, `${field}: the arguments must be a JSON object`);
}

export class TurnError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * OpenAI messages → turns: text parts joined, `developer` as `system`, null content as "";
 * an assistant's tool calls with their arguments parsed, a tool result named after the
 * function its `tool_call_id` called. Throws TurnError naming the field.
 */
export function openaiTurns(messages: OpenAIChatBody["messages"]): Turn[] {
  const names = new Map<string, string>();
  return messages.map((m, i) => {
    const turn: Turn = {
      role: m.role === "developer" ? "system" : m.role,
      content: typeof m.content === "string" ? m.content : (m.content ?? []).map((p) => p.text).join(""),
    };
    if (m.tool_calls?.length) {
      turn.tool_calls = m.tool_calls.map((c, k) => {
        names.set(c.id, c.function.name);
        return { function: { name: c.function.name, arguments: argumentsOf(c.function.arguments, `messages.${i}.tool_calls.${k}.function.arguments`) } };
      });
    }
    if (m.role === "tool" && m.tool_call_id && names.has(m.tool_call_id)) turn.tool_name = names.get(m.tool_call_id);
    return turn;
  });
}

/**
 * The orchestrator takes one prompt (the user's last message) plus the turns before it and,
 * in an agent's loop, the turns after it: the assistant's tool calls and the tools' results.
 * Anything else after the last user message, or an empty one, is refused naming the field.
 */
export function splitTurns(turns: Turn[]): { prompt: string; history: Turn[]; tail: Turn[] } | { error: { field: string; message: string } } {
  const at = turns.findLastIndex((t) => t.role === "user");
  const lastField = `messages.${turns.length - 1}`;
  if (at === -1) return { error: { field: `${lastField}.role`, message: `${lastField}.role: the last message must be the user's` } };
  const tail = turns.slice(at + 1);
  const stray = tail.findIndex((t) => !(t.role === "tool" || (t.role === "assistant" && t.tool_calls?.length)));
  if (stray !== -1 || (tail.length > 0 && tail[tail.length - 1].role !== "tool")) {
    return { error: { field: `${lastField}.role`, message: `${lastField}.role: the last message must be the user's (or, after it, the tool calls and their results)` } };
  }
  const field = `messages.${at}`;
  if (!turns[at].content.trim()) return { error: { field: `${field}.content`, message: `${field}.content: the last message is empty` } };
  return { prompt: turns[at].content, history: turns.slice(0, at), tail };
}
