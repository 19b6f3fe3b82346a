/**
 * The trained task classifier: a multinomial logistic regression over the text features of
 * lib/learning/text-features.ts, trained offline by `npm run train:classifier`
 * (bench/classification/train.ts) on the labelled corpus in bench/classification/data, and
 * shipped as a small artefact (task-classifier.model.json). Its probabilities are
 * temperature-scaled on a validation split, so a confidence of 0.8 is right about 80% of the
 * time (the reliability table is in `npm run bench:classification`). Pure and synchronous:
 * a few microseconds per request.
 */
import { TASK_TYPES, isTaskType, type TaskType } from "@/lib/domain";
import { FeatureIndex } from "./feature-index";

export interface TaskClassifierModel {
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
}

export interface TaskClassification {
  taskType: TaskType;
  /** the calibrated probability of taskType */
  confidence: number;
  probabilities: Record<TaskType, number>;
}

export interface TaskClassifier {
  classify(text: string): TaskClassification;
  /** the uncalibrated logits, for training and calibration */
  logits(text: string): Float64Array;
  readonly model: TaskClassifierModel;
}

/** Logits of one text: bias + Σ weights of its known features, the feature vector L2-normalised. */
function logitsOf(model: TaskClassifierModel, weights: Float64Array, index: FeatureIndex, text: string): Float64Array {
  const k = model.labels.length;
  const out = Float64Array.from(model.bias);
  const { known, distinct } = index.read(text);
  const scale = 1 / Math.sqrt(Math.max(1, distinct));
  for (const i of known) for (let c = 0; c < k; c++) out[c] += weights[i * k + c] * scale;
  return out;
}

export function softmax(logits: ArrayLike<number>, temperature = 1): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i] / temperature);
  const e = Array.from(logits, (z) => Math.exp(z / temperature - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

export function taskClassifierFrom(model: TaskClassifierModel): TaskClassifier {
  if (!model.labels.every(isTaskType) || model.weights.length !== model.features.length * model.labels.length) {
    throw new Error("task classifier artefact does not match the task types or its own shape");
  }
  const index = new FeatureIndex(model.features);
  const weights = Float64Array.from(model.weights);
  return {
    model,
    logits: (text) => logitsOf(model, weights, index, text),
    classify(text) {
      const p = softmax(logitsOf(model, weights, index, text), model.temperature);
      const probabilities = Object.fromEntries(TASK_TYPES.map((t) => [t, 0])) as Record<TaskType, number>;
      let best = 0;
      model.labels.forEach((label, c) => {
        probabilities[label as TaskType] = p[c];
        if (p[c] > p[best]) best = c;
      });
      return { taskType: model.labels[best] as TaskType, confidence: p[best], probabilities };
    },
  };
}
