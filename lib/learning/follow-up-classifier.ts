/**
 * What a follow-up message says about the answer before it, by a classifier trained on
 * follow-ups written for it (`npm run train:follow-ups`, bench/feedback/train-follow-ups.ts;
 * a linear text classifier, lib/learning/linear-text-classifier.ts): failed, thanks, rephrase
 * or neutral, with calibrated probabilities. Loaded once per process; microseconds a message.
 */
import artefact from "./follow-up-classifier.model.json";
import { linearTextClassifierFrom, type LinearTextClassifier, type LinearTextModel } from "./linear-text-classifier";

export const FOLLOW_UP_LABELS = ["failed", "thanks", "rephrase", "neutral"] as const;
export type FollowUpLabel = (typeof FOLLOW_UP_LABELS)[number];

let shipped: LinearTextClassifier | null = null;

/** The probability of each label for a follow-up message. */
export function classifyFollowUp(text: string): Record<FollowUpLabel, number> {
  if (!shipped) {
    const model = artefact as LinearTextModel;
    if (model.labels.join() !== FOLLOW_UP_LABELS.join()) throw new Error("follow-up classifier artefact does not match its labels");
    shipped = linearTextClassifierFrom(model);
  }
  const p = shipped.probabilities(text);
  return Object.fromEntries(FOLLOW_UP_LABELS.map((l, i) => [l, p[i]])) as Record<FollowUpLabel, number>;
}
