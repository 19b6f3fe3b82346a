/**
 * The one definition of how good an answer was: a reward in [0, 1] for the bandits from an
 * explicit rating first; failing that, thumbs; failing that, the user's other verdicts (quick
 * tags, the answer preferred among its regenerations or passed over, another model named as
 * better); failing that, implicit signals (asked again, corrected, copied, what the next
 * message said, left after a broken answer); failing that, automatic checks of the answer
 * itself. Every signal on an answer goes through this reward, so an answer counts once: a new
 * signal moves its model's evidence from the reward counted before to this one
 * (lib/learning/answer-reward.ts). An answer is a *success* when its reward is ≥ 0.5,
 * everywhere: bandits, experiments and dashboards. The SQL function
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

/**
 * What the user's behaviour said about an answer: their next message said it failed, said
 * thanks, or asked again in other words; or, after an answer the automatic checks found
 * broken, they left (lib/learning/implicit-signal.ts reads them).
 */
export type ImplicitSignal = "failed" | "thanks" | "rephrase" | "abandoned";

/** Reward each implicit signal gives the answer: nearer the middle than a rating's. */
export const IMPLICIT_REWARD: Readonly<Record<ImplicitSignal, number>> = { failed: 0.2, rephrase: 0.3, abandoned: 0.3, thanks: 0.85 };

/** Reward of a quick tag's verdict: "wrong"/"incomplete" poor, "great" full. */
export const TAG_REWARD: Readonly<Record<string, number>> = { wrong: 0.2, incomplete: 0.2, great: 1 };

export type RewardSignals = {
  rating?: 1 | 2 | 3 | 4 | 5;
  thumbs?: "up" | "down";
  /** quick tags (TAG_REWARD's count; others say nothing) */
  tags?: readonly string[];
  /** true: preferred among the answers to its request; false: another of them was preferred */
  preferred?: boolean;
  /** the user named another model that would have answered better */
  betterModel?: boolean;
  regenerated?: boolean;
  corrected?: boolean;
  copied?: boolean;
  /** what the user did next (lib/learning/implicit-signal.ts) */
  followUp?: ImplicitSignal;
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
  const verdict = verdictReward(s);
  if (verdict !== null) return result(verdict, "explicit");

  // Implicit signals, the worst of the poor ones; a poor one with a good one is mixed.
  const poor = Math.min(s.corrected ? 0.1 : 1, s.regenerated ? 0.2 : 1, s.followUp && s.followUp !== "thanks" ? IMPLICIT_REWARD[s.followUp] : 1);
  const good = s.copied || s.followUp === "thanks";
  if (poor < 1 && good) return result(0.5, "implicit"); // mixed: copied or thanked, then asked again or corrected
  // A poor signal agrees with a broken answer; it does not lift it above what the checks found.
  if (poor < 1) return result(Math.min(poor, automaticReward(s.auto)), "implicit");
  if (s.copied) return result(s.auto.empty || s.auto.truncated ? 0.6 : 0.85, "implicit");
  if (s.followUp === "thanks") return result(IMPLICIT_REWARD.thanks, "implicit");

  return result(automaticReward(s.auto), "automatic");
}

/**
 * The user's verdicts short of a rating or thumbs: a great tag or being preferred is full
 * marks; another model named as better or another answer preferred is none; a wrong or
 * incomplete tag is poor; good and poor together are mixed. null: no verdict.
 */
function verdictReward(s: RewardSignals): number | null {
  const tagged = (s.tags ?? []).map((t) => TAG_REWARD[t]).filter((r): r is number => r !== undefined);
  const good = s.preferred === true || tagged.some((r) => r >= SUCCESS_AT);
  const poor = Math.min(s.betterModel || s.preferred === false ? 0 : 1, ...tagged.filter((r) => r < SUCCESS_AT));
  if (good && poor < 1) return 0.5;
  if (good) return 1;
  return poor < 1 ? poor : null;
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
  feedback: {
    thumbs?: string;
    tags?: unknown;
    preferred?: unknown;
    betterModel?: unknown;
    correction?: string;
    copied?: boolean;
    regenerated?: boolean;
    implicit?: unknown;
    auto?: AutoSignals | null;
  } & Record<string, unknown>;
  response_time: number | null;
}

/**
 * The reward of a stored interaction, as `private.interaction_reward` computes it in SQL:
 * 0 when every model failed, null when the outcome is unknown (still running, cancelled, no
 * signal at all).
 */
export function interactionReward(r: OutcomeRow): number | null {
  return interactionJudgement(r)?.reward ?? null;
}

/** The reward of a stored interaction with what decided it (a person's verdict, their behaviour, the automatic checks); null as for interactionReward. */
export function interactionJudgement(r: OutcomeRow): Reward | null {
  if (r.status === "failed") return result(0, "automatic");
  if (r.status !== "completed") return null;
  const f = r.feedback ?? {};
  const rating = r.success_rating;
  const signal = (f.implicit as { signal?: unknown } | undefined)?.signal;
  const signals: RewardSignals = {
    rating: rating !== null && rating >= 1 && rating <= 5 ? (Math.round(rating) as RewardSignals["rating"]) : undefined,
    thumbs: f.thumbs === "up" || f.thumbs === "down" ? f.thumbs : undefined,
    tags: Array.isArray(f.tags) ? f.tags.filter((t): t is string => typeof t === "string") : undefined,
    preferred: typeof f.preferred === "boolean" ? f.preferred : undefined,
    betterModel: typeof f.betterModel === "string" && f.betterModel !== "",
    regenerated: f.regenerated === true,
    corrected: typeof f.correction === "string" && f.correction !== "",
    copied: f.copied === true,
    followUp: typeof signal === "string" && Object.hasOwn(IMPLICIT_REWARD, signal) ? (signal as ImplicitSignal) : undefined,
    auto: f.auto ?? NEUTRAL_AUTO,
  };
  const judged = rewardFrom(signals);
  // Nothing said and nothing checked: unknown.
  return judged.source === "automatic" && !f.auto ? null : judged;
}

/** true / false, or null when the interaction does not count: reward ≥ SUCCESS_AT. */
export function interactionSuccess(r: OutcomeRow): boolean | null {
  const reward = interactionReward(r);
  return reward === null ? null : reward >= SUCCESS_AT;
}

