import type { ChatMessage } from "./types";

/**
 * Tokens in a text, estimated as characters / 4. A documented approximation: English prose
 * and code run at 3.5–4.5 characters per token for Llama-family tokenizers; the real count
 * is only known after Ollama answers (prompt_eval_count).
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Messages plus about 4 tokens each for the chat template's role markers. */
export function estimateMessagesTokens(messages: readonly Pick<ChatMessage, "content">[]): number {
  return messages.reduce((n, m) => n + estimateTokens(m.content) + 4, 0);
}
