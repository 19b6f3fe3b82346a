/**
 * Which known feedback theme (lib/learning/themes.ts) a comment is, by a classifier trained
 * on comments written for it (`npm run train:feedback`, bench/feedback/train-readers.ts; a
 * linear text classifier, lib/learning/linear-text-classifier.ts): one of the themes, or
 * `other`, with calibrated probabilities. Microseconds a comment.
 */
import artefact from "./theme-classifier.model.json";
import { labelledClassifier } from "./linear-text-classifier";
import { OTHER_THEME, THEMES } from "./themes";

export const THEME_LABELS = [...THEMES.map((t) => t.id), OTHER_THEME] as const;

/** The probability of each known theme, and of `other`, for a feedback comment. */
export const classifyTheme = labelledClassifier(artefact, THEME_LABELS);
