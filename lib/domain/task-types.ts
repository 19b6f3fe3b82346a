/**
 * The task types a conversation's request is classified into (by the classifier, the
 * neighbours and the router model; what a user may confirm or correct).
 */
export const CHAT_TASK_TYPES = [
  "math",
  "algorithm",
  "code_generation",
  "debugging",
  "refactoring_optimization",
  "architecture",
  "explanation",
  "general",
] as const;
export type ChatTaskType = (typeof CHAT_TASK_TYPES)[number];

/** Spellings people use for a word of a task type's id. */
const TASK_WORD: Readonly<Record<string, string>> = { maths: "math", optimisation: "optimization", debug: "debugging" };

/**
 * A chat task type as people write it: its id in any case, with spaces or hyphens for its
 * underscores ("Code generation", "refactoring-optimization": as the dashboard shows them),
 * "maths", "optimisation" or "debug" for its words, or the first word of a two-word id
 * ("refactoring", "code"). Anything else (a sentence, another label) is no task type.
 */
export function taskTypeNamed(words: string): ChatTaskType | null {
  const tokens = words.trim().toLowerCase().split(/[\s_-]+/).filter(Boolean).map((t) => TASK_WORD[t] ?? t);
  const id = tokens.join("_");
  if (isChatTaskType(id)) return id;
  if (tokens.length !== 1) return null;
  const byFirstWord = CHAT_TASK_TYPES.filter((t) => t.split("_")[0] === tokens[0]);
  return byFirstWord.length === 1 ? byFirstWord[0] : null;
}

/**
 * Every task type routing learns about: the chat ones, and `completion` (fill-in-the-middle
 * and raw completions from editors), which the endpoint decides, never a classifier. The SQL
 * check on `interactions.task_type` lists the same values
 * (tests/unit/domain-sql-agreement.test.ts keeps them equal).
 */
export const TASK_TYPES = [...CHAT_TASK_TYPES, "completion"] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export function isTaskType(value: unknown): value is TaskType {
  return typeof value === "string" && (TASK_TYPES as readonly string[]).includes(value);
}

export function isChatTaskType(value: unknown): value is ChatTaskType {
  return typeof value === "string" && (CHAT_TASK_TYPES as readonly string[]).includes(value);
}

/** Task types whose answer is expected to contain code (the automatic checks look for a code block). */
export const CODE_TASK_TYPES: readonly TaskType[] = ["code_generation", "debugging", "refactoring_optimization"];

export function expectsCode(taskType: TaskType): boolean {
  return CODE_TASK_TYPES.includes(taskType);
}
