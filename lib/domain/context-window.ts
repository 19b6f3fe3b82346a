/** Tokens kept free for the answer when checking that a prompt fits a model's context window. */
export const ANSWER_RESERVE_TOKENS = 64;

/**
 * Whether a prompt of about `promptTokens` fits a context window, leaving `reserve` tokens for
 * the answer. An unknown window (null, 0) never refuses: the model will say so itself.
 */
export function fitsContext(promptTokens: number, contextLength: number | null | undefined, reserve = ANSWER_RESERVE_TOKENS): boolean {
  return !contextLength || promptTokens + reserve <= contextLength;
}
