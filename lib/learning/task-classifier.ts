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
import { linearTextClassifierFrom, type LinearTextModel } from "./linear-text-classifier";

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
  readonly model: LinearTextModel;
}

export function taskClassifierFrom(model: LinearTextModel): TaskClassifier {
  if (!model.labels.every(isTaskType)) throw new Error("task classifier artefact does not match the task types");
  const linear = linearTextClassifierFrom(model);
  return {
    model,
    logits: linear.logits,
    classify(text) {
      const p = linear.probabilities(text);
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
