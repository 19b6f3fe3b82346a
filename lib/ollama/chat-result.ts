import type { ChatResponse } from "ollama";
import type { HostState } from "./hosts";
import type { ChatRequest, ChatResult, ToolCall } from "./types";

const NS_PER_MS = 1e6;

/** The result of a finished answer from its last chunk: Ollama's counts and durations (nanoseconds → ms) and our timings; `content` is the whole text. */
export function chatResult(
  h: HostState,
  req: Pick<ChatRequest, "model">,
  last: ChatResponse,
  content: string,
  timing: { queuedMs: number; ttftMs: number; wallMs: number },
  toolCalls: ToolCall[] = [],
): ChatResult {
  return {
    host: h.url,
    model: req.model,
    content,
    doneReason: last.done_reason ?? "stop",
    promptEvalCount: last.prompt_eval_count ?? 0,
    evalCount: last.eval_count ?? 0,
    totalDurationMs: (last.total_duration ?? 0) / NS_PER_MS,
    loadDurationMs: (last.load_duration ?? 0) / NS_PER_MS,
    promptEvalDurationMs: (last.prompt_eval_duration ?? 0) / NS_PER_MS,
    evalDurationMs: (last.eval_duration ?? 0) / NS_PER_MS,
    ...timing,
    // The client types created_at as Date, but it arrives as the JSON string.
    createdAt: new Date(last.created_at as unknown as string),
    raw: last,
    toolCalls,
  };
}
