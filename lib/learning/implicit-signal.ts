/**
 * What a user's next message says about the answer before it (pure): that it failed ("still
 * getting the same error"), that it worked ("thanks, that fixed it"), or nothing, as a new
 * question does; and whether it asks the previous question again in other words. Read three
 * ways: telling phrases as seeds; the follow-up classifier (lib/learning/follow-up-classifier.ts,
 * trained on follow-ups written for it) when it is sure; and closeness by meaning to example
 * follow-ups beyond what chance reaches under the embedding model in use. A rephrase is also a
 * new message unusually close to the previous request (closer than {@link REPHRASE} of pairs
 * of different requests). The rewards (lib/domain/reward.ts IMPLICIT_REWARD) are weaker than explicit feedback.
 */
import type { ImplicitSignal } from "@/lib/domain";
import type { FollowUpLabel } from "./follow-up-classifier";
import { SURE } from "./linear-text-classifier";
import { closerThan, similarityQuantile, type SimilarityScale } from "./similarity-scale";
import { verdictPart } from "./verdict-part";

/** A broken answer with no word, rating or copy from its user for this long was abandoned. */
export const ABANDONED_AFTER_MS = 30 * 60_000;

/** A new request closer to the previous one than this share of different-request pairs repeats it. */
export const REPHRASE = 0.99;
/** Chance closeness to any example must stay this rare across all examples compared with. */
const ANCHOR_CHANCE = 0.05;

export const SIGNAL_PHRASES: Readonly<Record<"failed" | "thanks" | "rephrase", RegExp>> = {
  failed: /\b(?:fails?|failing|complains|(?:has|have)n'?t changed|still (?:get(?:ting)?|ha(?:s|ve|ving)|see(?:ing)?|fail(?:s|ing)?|broken|crash(?:es|ing)?|the same|not)|same (?:error|issue|problem|exception|result|output|thing)|(?:does|did|is)n'?t (?:work|help|fix|change)|not working|no luck|nope|that (?:throws|breaks|crashes|fails|gives)|now (?:it )?(?:throws|fails|crashes|breaks))\b/i,
  // The previous answer missed the point: the question comes again, narrowed or corrected.
  rephrase: /\b(?:I (?:mean|meant)|what I(?:'m| am) (?:really )?(?:asking|after)|I(?:'m| am| was) asking|I did(?:n'?t| not) (?:mean|ask)|not what I (?:asked|meant|wanted)|you (?:misunderstood|misread))\b/i,
  thanks: /\b(?:thanks?(?: you)?|thx|ty|cheers|perfect|brilliant|awesome|(?:that|it|this) (?:worked|works|fixed it|did it|did the trick)|works (?:now|great|perfectly)|fixed it|solved it)\b/i,
};

/** Example follow-ups for the meaning check (the app's own; the benchmark's sets are elsewhere and unseen). */
export const SIGNAL_EXAMPLES: Readonly<Record<"failed" | "thanks", readonly string[]>> = {
  failed: ["it still does not work", "I get the same error as before", "your fix broke something else", "that did not solve the problem"],
  thanks: ["thank you, that solved it", "great, it works now", "perfect, exactly what I needed", "that fixed the problem, thanks"],
};

export function readFollowUp(input: {
  text: string;
  /** the follow-up classifier (null: not asked) */
  classify: ((text: string) => Readonly<Record<FollowUpLabel, number>>) | null;
  /** similarity of the new message to the previous request (null without embeddings) */
  toPrevious: number | null;
  /** best similarity of the new message to each signal's examples (null without embeddings) */
  toExamples: Record<"failed" | "thanks", number> | null;
  /** how many examples were compared with */
  examples: number;
  scale: SimilarityScale | null;
}): Exclude<ImplicitSignal, "abandoned"> | null {
  // "Thanks, but it still fails": the verdict is what follows the turn (verdict-part.ts).
  const text = verdictPart(input.text);
  if (SIGNAL_PHRASES.rephrase.test(text)) return "rephrase";
  const said = (["failed", "thanks"] as const).filter((s) => SIGNAL_PHRASES[s].test(text));
  if (said.length === 1) return said[0];
  if (said.length === 2) return null; // "thanks, it still fails" with no turn between: mixed, say nothing
  if (input.classify) {
    const classified = input.classify(text);
    const best = (["failed", "thanks", "rephrase"] as const).map((s) => ({ s, p: classified[s] })).sort((a, b) => b.p - a.p)[0];
    if (best.p >= SURE) return best.s;
  }
  if (!input.scale) return null;
  if (input.toExamples) {
    const bar = similarityQuantile(input.scale, 1 - ANCHOR_CHANCE / Math.max(1, input.examples));
    const best = (["failed", "thanks"] as const).map((s) => ({ s, v: input.toExamples![s] })).sort((a, b) => b.v - a.v)[0];
    if (best.v >= bar) return best.s;
  }
  if (input.toPrevious !== null && closerThan(input.scale, input.toPrevious) >= REPHRASE) return "rephrase";
  return null;
}
