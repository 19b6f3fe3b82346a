/**
 * What a follow-up message says about the answer before it, by a classifier trained on
 * follow-ups written for it (`npm run train:feedback`, bench/feedback/train-readers.ts; a
 * linear text classifier, lib/learning/linear-text-classifier.ts): failed, thanks, rephrase
 * or neutral, with calibrated probabilities. Microseconds a message.
 */
import artefact from "./follow-up-classifier.model.json";
import { labelledClassifier } from "./linear-text-classifier";

export const FOLLOW_UP_LABELS = ["failed", "thanks", "rephrase", "neutral"] as const;
export type FollowUpLabel = (typeof FOLLOW_UP_LABELS)[number];

/** The probability of each label for a follow-up message. */
export const classifyFollowUp = labelledClassifier(artefact, FOLLOW_UP_LABELS);
