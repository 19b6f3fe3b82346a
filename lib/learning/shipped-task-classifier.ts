import artefact from "./task-classifier.model.json";
import type { LinearTextModel } from "./linear-text-classifier";
import { taskClassifierFrom, type TaskClassifier } from "./task-classifier";

let shipped: TaskClassifier | null = null;

/** The classifier shipped with the app (trained by `npm run train:classifier`), loaded once per process. */
export function taskClassifier(): TaskClassifier {
  shipped ??= taskClassifierFrom(artefact as LinearTextModel);
  return shipped;
}
