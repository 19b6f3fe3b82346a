/**
 * A trained linear text classifier (pure): a multinomial logistic regression over the text
 * features of lib/learning/text-features.ts, shipped as a small JSON artefact whose
 * probabilities are temperature-scaled on a validation split. The task classifier and the
 * two feedback readers (follow-ups, themes) are three of them; bench/support/linear-training.ts
 * trains them. A few microseconds per text.
 */
import { FeatureIndex } from "./feature-index";
import { readShareIn, type Script } from "./text-features";

/** The calibrated probability at which the app acts on a shipped classifier's reading of a text. */
export const SURE = 0.6;

export interface LinearTextModel {
  version: 1;
  labels: string[];
  /** divides the logits before the softmax (fitted on the validation split) */
  temperature: number;
  features: string[];
  /** row-major: features.length × labels.length */
  weights: number[];
  bias: number[];
  /** how and on what it was trained (sizes, hyper-parameters, sources) */
  meta: Record<string, unknown>;
  /** the scripts its training corpus was written in, which it reads (absent: Latin only) */
  scripts?: Script[];
}

export interface LinearTextClassifier {
  /** the calibrated probability of each label, in the model's label order; toward even for a text read only in part (partlyRead) */
  probabilities(text: string): number[];
  /** the uncalibrated logits, for training and calibration */
  logits(text: string): Float64Array;
  readonly model: LinearTextModel;
}

export function softmax(logits: ArrayLike<number>, temperature = 1): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] / temperature);
  const e = Array.from(logits, (z) => Math.exp(z / temperature - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

/** Logits of one text (bias + Σ weights of its known features, the feature vector L2-normalised) and the share of its letters and digits read. */
function scoreOf(model: LinearTextModel, weights: Float64Array, index: FeatureIndex, text: string): { logits: Float64Array; readShare: number } {
  const k = model.labels.length;
  const out = Float64Array.from(model.bias);
  const { known, distinct, scripts } = index.read(text);
  const scale = 1 / Math.sqrt(Math.max(1, distinct));
  for (const i of known) for (let c = 0; c < k; c++) out[c] += weights[i * k + c] * scale;
  return { logits: out, readShare: readShareIn(scripts, model.scripts ?? LATIN_ONLY) };
}

const LATIN_ONLY: readonly Script[] = ["latin"];

/** The weight of a reading made of a text's shape alone (no word read): enough to rank the labels, not to act on. */
const SHAPE_ONLY = 0.01;

/**
 * The probabilities of a text the classifier read only in part. What it read counts as
 * trained; the share of the text's letters and digits outside the scripts it learned
 * (LinearTextModel.scripts, text-features.ts) makes every label equally likely. A text in a
 * script it learned reads whole and keeps its calibrated probabilities; one in a script its
 * corpus did not have comes out near even, below every threshold the app acts on. Without
 * this, the shape alone decided: before their corpora had Chinese and Russian, a short follow-up
 * in either ("还是不行，同样的错误", "Всё ещё та же ошибка": still the same error) read as thanks
 * at 0.69, and any Chinese request as `general` at 0.79; Hebrew or Hindi would today.
 */
export function partlyRead(probabilities: readonly number[], readShare: number): number[] {
  const even = 1 / probabilities.length;
  const w = Math.min(1, Math.max(SHAPE_ONLY, readShare));
  return probabilities.map((p) => w * p + (1 - w) * even);
}

export function linearTextClassifierFrom(model: LinearTextModel): LinearTextClassifier {
  if (model.weights.length !== model.features.length * model.labels.length || model.bias.length !== model.labels.length) {
    throw new Error("classifier artefact does not match its own shape");
  }
  const index = new FeatureIndex(model.features);
  const weights = Float64Array.from(model.weights);
  return {
    model,
    logits: (text) => scoreOf(model, weights, index, text).logits,
    probabilities(text) {
      const { logits, readShare } = scoreOf(model, weights, index, text);
      const p = softmax(logits, model.temperature);
      return readShare < 1 ? partlyRead(p, readShare) : p;
    },
  };
}

/**
 * A shipped artefact as a function from text to the probability of each of `labels` (built
 * on first use; throws when the artefact was trained for other labels).
 */
export function labelledClassifier<L extends string>(artefact: unknown, labels: readonly L[]): (text: string) => Record<L, number> {
  let clf: LinearTextClassifier | null = null;
  return (text) => {
    if (!clf) {
      const model = artefact as LinearTextModel;
      if (model.labels.join() !== labels.join()) throw new Error(`classifier artefact is for ${model.labels.join(", ")}, not ${labels.join(", ")}`);
      clf = linearTextClassifierFrom(model);
    }
    const p = clf.probabilities(text);
    return Object.fromEntries(labels.map((l, i) => [l, p[i]])) as Record<L, number>;
  };
}
