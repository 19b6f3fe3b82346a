/**
 * Turns what we know about one answer into a reward in [0, 1] for the bandits: an explicit
 * rating first; failing that, implicit signals (regenerate, correction, copy); failing that,
 * automatic checks of the answer itself. `success` is reward ≥ 0.5.
 */
import type { TaskType } from "../orchestrator/domain";

export type AutoSignals = {
  truncated: boolean;
  empty: boolean;
  refused: boolean;
  hasCodeBlock: boolean;
  codeExpected: boolean;
  mathAnswerPresent: boolean;
  mathExpected: boolean;
};

export type RewardSignals = {
  rating?: 1 | 2 | 3 | 4 | 5;
  thumbs?: "up" | "down";
  regenerated?: boolean;
  corrected?: boolean;
  copied?: boolean;
  auto: AutoSignals;
};

export type Reward = { reward: number; source: "explicit" | "implicit" | "automatic"; success: boolean };

const SUCCESS_AT = 0.5;

function result(reward: number, source: Reward["source"]): Reward {
  return { reward, source, success: reward >= SUCCESS_AT };
}

export function rewardFrom(s: RewardSignals): Reward {
  if (s.rating !== undefined) return result((s.rating - 1) / 4, "explicit");
  if (s.thumbs !== undefined) return result(s.thumbs === "up" ? 1 : 0, "explicit");

  const negative = s.corrected || s.regenerated;
  if (negative && s.copied) return result(0.5, "implicit"); // mixed: copied, then asked again
  if (s.corrected) return result(0.1, "implicit");
  if (s.regenerated) return result(0.2, "implicit");
  if (s.copied) return result(s.auto.empty || s.auto.truncated ? 0.6 : 0.85, "implicit");

  return result(automaticReward(s.auto), "automatic");
}

/** Automatic checks can prove failure but only suggest success: a clean answer scores 0.7. */
export function automaticReward(a: AutoSignals): number {
  if (a.empty) return 0;
  if (a.refused) return 0.05;
  if (a.truncated) return 0.2;
  if (a.codeExpected && !a.hasCodeBlock) return 0.3;
  if (a.mathExpected && !a.mathAnswerPresent) return 0.35;
  return 0.7;
}

const CODE_TASKS: readonly TaskType[] = ["code_generation", "debugging", "refactoring_optimization"];

const REFUSAL =
  /\b(?:I(?:'m| am) (?:sorry|afraid),? (?:but )?I (?:can(?:'|no)t|cannot|am (?:not able|unable))|I (?:can(?:'|no)t|cannot|won'?t) (?:help|assist|provide|do that|comply)|as an AI(?: language model)?,? I (?:can(?:'|no)t|cannot|am not able))/i;

/** Fenced blocks are balanced and at least one has content. */
export function hasBalancedCodeBlock(text: string): boolean {
  const lines = text.split("\n");
  let open: string | null = null;
  let content = 0;
  let closedWithContent = false;
  for (const line of lines) {
    const fence = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (open === null) {
        open = fence[1][0];
        content = 0;
      } else if (fence[1][0] === open && line.trim() === fence[1]) {
        if (content > 0) closedWithContent = true;
        open = null;
      }
      continue;
    }
    if (open !== null && line.trim() !== "") content++;
  }
  return open === null && closedWithContent;
}

/** A final answer: \boxed{…}, "#### n", "answer is n", or a number in the last lines. */
export function hasFinalNumericAnswer(text: string): boolean {
  if (/\\boxed\{[^}]+\}|^####\s*-?[\d.,/]+/m.test(text)) return true;
  if (/\b(?:answer|result|total)\s*(?:is|=|:)\s*\**\$?-?\d/i.test(text)) return true;
  const tail = text.trim().split("\n").slice(-3).join("\n");
  return /(?:=|is|:)\s*\**\$?-?\d[\d,]*(?:\.\d+)?(?:\/\d+)?\b|^\**\$?-?\d[\d,]*(?:\.\d+)?\**\.?$/m.test(tail);
}

export function autoChecks(taskType: TaskType, responseText: string, doneReason?: string | null): AutoSignals {
  const text = responseText ?? "";
  return {
    truncated: doneReason === "length",
    empty: text.trim() === "",
    refused: REFUSAL.test(text.slice(0, 400)),
    hasCodeBlock: hasBalancedCodeBlock(text),
    codeExpected: CODE_TASKS.includes(taskType),
    mathAnswerPresent: hasFinalNumericAnswer(text),
    mathExpected: taskType === "math",
  };
}
