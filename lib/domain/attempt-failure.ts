/**
 * Why an attempt to answer failed, in two kinds.
 *
 * - An unusable answer (empty, refused, cut off at its token limit) is what the model made of
 *   this request: it tells how well the model answers requests of its kind, and the routing
 *   learns it as a failed answer.
 * - Everything else (no host answered, the model is not installed, an HTTP error, a time-out,
 *   a broken or malformed stream, a prompt longer than the window) is a failure to serve the
 *   request: it tells whether the model can be reached now, which the failure prediction
 *   (lib/learning/failure-model.ts) learns and forgets as the failures age, and nothing of its
 *   answers. So an outage does not write a good model off for good: counted as failed
 *   answers, two errors during a restart left the maths specialist out of maths for ever.
 */
export const UNUSABLE_ANSWERS = {
  empty: "the answer was empty",
  refused: "the model refused",
  truncated: "the answer was cut off at its token limit",
} as const;

export type UnusableAnswer = keyof typeof UNUSABLE_ANSWERS;

/** True when an attempt failed because of its answer (not because it could not be served). */
export function isUnusableAnswer(reason: string | null | undefined): reason is UnusableAnswer {
  return reason != null && Object.hasOwn(UNUSABLE_ANSWERS, reason);
}
