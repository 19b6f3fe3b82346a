/**
 * Measures a classifier on the routing benchmark: accuracy (a prediction is correct when it
 * is one of the task types accepted for the prompt's category) and the confusion matrix of
 * benchmark category × predicted task type.
 */
import { TASK_TYPES, type TaskType } from "../../lib/domain";
import { acceptedTaskTypes, type BenchPrompt, type ModelProfiles } from "./data";

export type ClassifierReport = {
  n: number;
  accuracy: number;
  perCategory: Record<string, { n: number; accuracy: number }>;
  confusion: Record<string, Record<TaskType, number>>;
};

export function evaluateClassifier(
  prompts: readonly BenchPrompt[],
  profiles: ModelProfiles,
  classify: (text: string) => TaskType,
): ClassifierReport {
  const confusion: Record<string, Record<TaskType, number>> = {};
  const perCategory: Record<string, { n: number; accuracy: number }> = {};
  let correct = 0;
  for (const p of prompts) {
    if (p.category === undefined) continue;
    const predicted = classify(p.prompt);
    confusion[p.category] ??= Object.fromEntries(TASK_TYPES.map((t) => [t, 0])) as Record<TaskType, number>;
    confusion[p.category][predicted] += 1;
    const ok = acceptedTaskTypes(p.category, profiles).includes(predicted);
    const c = (perCategory[p.category] ??= { n: 0, accuracy: 0 });
    c.n += 1;
    c.accuracy += ok ? 1 : 0;
    if (ok) correct += 1;
  }
  for (const c of Object.values(perCategory)) c.accuracy /= c.n;
  const n = prompts.filter((p) => p.category !== undefined).length;
  return { n, accuracy: n ? correct / n : 0, perCategory, confusion };
}

const SHORT: Record<TaskType, string> = {
  math: "math",
  algorithm: "algo",
  code_generation: "codegen",
  debugging: "debug",
  refactoring_optimization: "refactor",
  architecture: "arch",
  explanation: "explain",
  general: "general",
};

export function formatConfusion(report: ClassifierReport): string {
  const head = ["category".padEnd(24), ...TASK_TYPES.map((t) => SHORT[t].padStart(8)), "   acc"].join(" ");
  const rows = Object.entries(report.confusion).map(([cat, row]) =>
    [cat.padEnd(24), ...TASK_TYPES.map((t) => String(row[t]).padStart(8)), report.perCategory[cat].accuracy.toFixed(3).padStart(6)].join(" "),
  );
  return [head, ...rows, `accuracy ${report.accuracy.toFixed(3)} (n=${report.n})`].join("\n");
}
