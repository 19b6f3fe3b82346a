import "server-only";
import { getOllamaPool, isOllamaError, type ChatMessage, type Tool, type ToolCall } from "@/lib/ollama";
import { NEUTRAL_AUTO, autoChecks, type AutoSignals } from "@/lib/domain/reward";
import { stoppedAtClientLimit, UNUSABLE_ANSWERS, withinLimits, type AnswerLimits, type UnusableAnswer } from "@/lib/domain";
import type { Attempt, RunEvent } from "@/lib/chat/events";
import type { Plan, PlannedModel } from "./plan";
import { hasCapability } from "./capabilities";

export interface RunOutcome {
  status: "completed" | "failed" | "cancelled";
  model: string | null;
  response: string;
  attempts: Attempt[];
  auto: AutoSignals | null;
  promptTokens: number | null;
  completionTokens: number | null;
  planned: PlannedModel | null;
  error: { code: string; message: string } | null;
  /** the functions the answer called (an agent runs them and sends the results back) */
  toolCalls?: ToolCall[];
  /** the answer ended at the client's own token limit (lib/domain/answer-limits.ts) */
  stoppedAtLimit?: true;
}

/** Why an answer that arrived is still a failure the next model should fix, or null. */
function unusable(auto: AutoSignals): { reason: UnusableAnswer; message: string } | null {
  const reason: UnusableAnswer | null = auto.empty ? "empty" : auto.refused ? "refused" : auto.truncated ? "truncated" : null;
  return reason && { reason, message: UNUSABLE_ANSWERS[reason] };
}

/**
 * Tries the plan's chain in order until one model gives a usable answer: an error, a
 * time-out, a broken stream or an empty, refused or truncated answer passes the request to
 * the next model; the user sees a notice, not a broken answer. Yields tokens as they arrive.
 */
export async function* runChain({
  plan,
  prompt,
  history,
  tail = [],
  tools,
  format,
  think,
  limits,
  signal,
}: {
  plan: Plan;
  prompt: string;
  history: ChatMessage[];
  /** an agent's turns after the prompt: the functions called and their results */
  tail?: ChatMessage[];
  /** functions the model may call */
  tools?: Tool[];
  /** structured output: "json" or a JSON schema, as Ollama takes it */
  format?: "json" | Record<string, unknown>;
  /** ask models that can think (Ollama's `thinking` capability) to show their reasoning */
  think?: boolean;
  /** the client's limits on the answer: its token limit and stop strings */
  limits?: AnswerLimits;
  signal: AbortSignal;
}): AsyncGenerator<RunEvent, RunOutcome> {
  const attempts: Attempt[] = [];
  let last: { planned: PlannedModel; text: string; auto: AutoSignals; promptTokens: number; completionTokens: number } | null = null;

  for (let i = 0; i < plan.chain.length; i++) {
    const planned = plan.chain[i];
    const next = plan.chain[i + 1];
    const started = performance.now();
    let text = "";
    const calls: ToolCall[] = [];
    let ttftMs: number | null = null;
    let failure: { reason: string; message: string } | null = null;
    let cold = planned.cold; // as predicted; the answer says for sure
    let atLimit = false;
    try {
      const messages: ChatMessage[] = [{ role: "system", content: planned.system }, ...history, { role: "user", content: prompt }, ...tail];
      // `think` only where the model can (Ollama refuses it elsewhere).
      const thinks = think !== undefined && (await hasCapability(planned.model, "thinking")) ? think : undefined;
      for await (const chunk of getOllamaPool().chatStream({ model: planned.model, messages, options: withinLimits(planned.params, limits), tools, format, think: thinks, signal, timeouts: planned.budget ?? undefined })) {
        if (chunk.type === "delta") {
          if (chunk.thinking) yield { type: "thinking", text: chunk.thinking };
          if (chunk.toolCalls?.length) {
            ttftMs ??= performance.now() - started;
            calls.push(...chunk.toolCalls);
            yield { type: "tool_calls", calls: chunk.toolCalls };
          }
          if (!chunk.content) continue;
          ttftMs ??= performance.now() - started;
          text += chunk.content;
          yield { type: "token", text: chunk.content };
        } else {
          // An answer that calls functions is judged by what the agent does next, not by its (empty)
          // text; structured output by being there and complete, not by looking like prose or code;
          // one the client's own token limit cut off only by being there.
          atLimit = stoppedAtClientLimit(chunk.result.doneReason, planned.params, limits);
          const auto = calls.length
            ? NEUTRAL_AUTO
            : atLimit
              ? { ...NEUTRAL_AUTO, empty: !text.trim() }
              : format
              ? { ...NEUTRAL_AUTO, empty: !text.trim(), truncated: chunk.result.doneReason === "length" }
              : autoChecks(plan.taskType, text, chunk.result.doneReason);
          cold = chunk.result.loadDurationMs > 0;
          last = { planned, text, auto, promptTokens: chunk.result.promptEvalCount, completionTokens: chunk.result.evalCount };
          failure = unusable(auto);
        }
      }
      if (!last || last.planned !== planned) failure = { reason: "stream_broken", message: "the stream ended without its final chunk" };
    } catch (e) {
      if (signal.aborted) {
        attempts.push({ model: planned.model, role: planned.role, ok: false, reason: "cancelled", message: null, ms: performance.now() - started, ttftMs });
        return { status: "cancelled", model: planned.model, response: text, attempts, auto: null, promptTokens: null, completionTokens: null, planned, error: null };
      }
      failure = isOllamaError(e) ? { reason: e.code, message: e.message } : { reason: "error", message: e instanceof Error ? e.message : String(e) };
    }

    const attempt: Attempt = {
      model: planned.model,
      role: planned.role,
      ok: !failure,
      reason: failure?.reason ?? null,
      message: failure?.message ?? null,
      ms: performance.now() - started,
      ttftMs,
      cold,
      promptTokens: planned.promptTokens,
      ...(planned.budget ? { budget: planned.budget } : {}),
    };
    attempts.push(attempt);
    if (!failure) {
      return {
        status: "completed", model: planned.model, response: text, attempts, auto: last!.auto, promptTokens: last!.promptTokens, completionTokens: last!.completionTokens, planned, error: null,
        ...(calls.length ? { toolCalls: calls } : {}),
        ...(atLimit ? { stoppedAtLimit: true as const } : {}),
      };
    }
    // A truncated answer from the last model is still better than none.
    if (!next && last?.planned === planned && failure.reason === "truncated") {
      return { status: "completed", model: planned.model, response: text, attempts, auto: last.auto, promptTokens: last.promptTokens, completionTokens: last.completionTokens, planned, error: null };
    }
    if (next) yield { type: "fallback", attempt, next: { model: next.model, role: next.role } };
  }

  const trail = attempts.map((a) => `${a.model}: ${a.reason}`).join("; ");
  return {
    status: "failed",
    model: null,
    response: "",
    attempts,
    auto: null,
    promptTokens: null,
    completionTokens: null,
    planned: null,
    error: { code: "all_failed", message: `Every model that could take this request failed (${trail}). Check the models on Settings, or try again.` },
  };
}
