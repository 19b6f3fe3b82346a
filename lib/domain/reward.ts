/**
 * The one definition of how good an answer was: a reward in [0, 1] for the bandits from an
 * explicit rating first; failing that, implicit signals (regenerate, correction, copy);
 * failing that, automatic checks of the answer itself. An answer is a *success* when its
 * reward is ≥ 0.5, everywhere: bandits, experiments and dashboards. The SQL function
 * `private.interaction_reward` computes the same reward from a stored row
 * (tests/integration/analytics-rollups.test.ts keeps the two equal).
 */
import { expectsCode, type TaskType } from "./task-types";

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

export const SUCCESS_AT = 0.5;

/** Automatic checks that say nothing either way: for rewards from feedback alone. */
export const NEUTRAL_AUTO: AutoSignals = { truncated: false, empty: false, refused: false, hasCodeBlock: true, codeExpected: false, mathAnswerPresent: true, mathExpected: false };

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
    codeExpected: expectsCode(taskType),
    mathAnswerPresent: hasFinalNumericAnswer(text),
    mathExpected: taskType === "math",
  };
}

/** What a stored interaction says about its outcome (the columns the reward reads). */
export interface OutcomeRow {
  status: string;
  success_rating: number | null;
  feedback: { thumbs?: string; correction?: string; copied?: boolean; regenerated?: boolean; auto?: AutoSignals | null } & Record<string, unknown>;
  response_time: number | null;
}

/**
 * The reward of a stored interaction, as `private.interaction_reward` computes it in SQL:
 * 0 when every model failed, null when the outcome is unknown (still running, cancelled, no
 * signal at all).
 */
export function interactionReward(r: OutcomeRow): number | null {
  if (r.status === "failed") return 0;
  if (r.status !== "completed") return null;
  const f = r.feedback ?? {};
  const rating = r.success_rating;
  const signals: RewardSignals = {
    rating: rating !== null && rating >= 1 && rating <= 5 ? (Math.round(rating) as RewardSignals["rating"]) : undefined,
    thumbs: f.thumbs === "up" || f.thumbs === "down" ? f.thumbs : undefined,
    corrected: typeof f.correction === "string" && f.correction !== "",
    copied: f.copied === true,
    auto: f.auto ?? NEUTRAL_AUTO,
  };
  const explicitOrImplicit = signals.rating !== undefined || signals.thumbs !== undefined || signals.corrected || signals.copied;
  if (!explicitOrImplicit && !f.auto) return null;
  return rewardFrom(signals).reward;
}

/** true / false, or null when the interaction does not count: reward ≥ SUCCESS_AT. */
export function interactionSuccess(r: OutcomeRow): boolean | null {
  const reward = interactionReward(r);
  return reward === null ? null : reward >= SUCCESS_AT;
}

