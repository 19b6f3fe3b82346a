/**
 * The limits a client put on an answer: at most this many tokens, and stop at any of these
 * strings (OpenAI's `max_tokens` / `max_completion_tokens` and `stop`; Ollama's
 * `options.num_predict` and `options.stop`). The orchestrator still chooses the sampling
 * (temperature, its own token cap, the context window); a client's limits only narrow it.
 *
 * An answer the client's own token limit cut off is what the client asked for: it is not a
 * failure to pass to the next model, nor a truncation that counts against the model or its
 * parameters, and the client is told `length` (OpenAI's `finish_reason`, Ollama's `done_reason`).
 */
export interface AnswerLimits {
  maxTokens?: number;
  stop?: string[];
}

/** The model's options within the client's limits: the smaller token cap, the client's stop strings. */
export function withinLimits<O extends { num_predict: number }>(params: O, limits: AnswerLimits | undefined): O & { stop?: string[] } {
  if (!limits) return params;
  return {
    ...params,
    ...(limits.maxTokens !== undefined ? { num_predict: Math.min(params.num_predict, limits.maxTokens) } : {}),
    ...(limits.stop?.length ? { stop: limits.stop } : {}),
  };
}

/** True when an answer that ended at its token cap ended at the client's (not at a smaller one the orchestrator chose). */
export function stoppedAtClientLimit(doneReason: string | undefined, params: { num_predict: number }, limits: AnswerLimits | undefined): boolean {
  return doneReason === "length" && limits?.maxTokens !== undefined && limits.maxTokens <= params.num_predict;
}
