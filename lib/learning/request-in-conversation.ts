/**
 * A request read in its conversation (pure). A follow-up often says little by itself
 * ("continue", "and in rust?", "per region", "simpler please"): read alone, the task
 * classifier guessed from a word or two ("continue" was maths at 0.84), and a chat about code
 * went to another model each turn. Read together with the request before it, such a follow-up
 * takes that request's task type; a follow-up that says what it wants ("it throws ValueError
 * on line 3", "how would this scale to ten regions") says so in both readings. The two readings
 * count equally: chosen on bench/classification/data/follow-ups/dev.jsonl (alone 20 of 40
 * right, with the request before it 35, the two averaged 38), measured on test.jsonl, written
 * apart and never used to choose.
 */
import { TASK_TYPES, type TaskType } from "@/lib/domain";
import type { TaskClassification, TaskClassifier } from "./task-classifier";

/** The classification of `prompt`, the user's request before it in the conversation being `previous` (null: a first request). */
export function classifyInConversation(classifier: TaskClassifier, prompt: string, previous: string | null): TaskClassification {
  const alone = classifier.classify(prompt);
  if (!previous?.trim()) return alone;
  const together = classifier.classify(`${previous}\n${prompt}`);
  const probabilities = Object.fromEntries(TASK_TYPES.map((t) => [t, (alone.probabilities[t] + together.probabilities[t]) / 2])) as Record<TaskType, number>;
  const taskType = TASK_TYPES.reduce((best, t) => (probabilities[t] > probabilities[best] ? t : best));
  return { taskType, confidence: probabilities[taskType], probabilities };
}
