/**
 * A request read in its conversation (pure). A follow-up often says little by itself
 * ("continue", "and in rust?", "per region", "simpler please"): read alone, the task
 * classifier guessed from a word or two ("continue" was maths at 0.84), and a chat about code
 * went to another model each turn. So a request after another is read twice, alone and
 * together with the request before it, and the two readings are mixed by how much it says
 * itself: with n words of its own, the reading alone counts n / (n + 4). "Continue" is read
 * mostly by what it continues; a full new request (twenty words) mostly by itself, since one
 * long chat often holds unrelated questions.
 *
 * Chosen on bench/classification/data/follow-ups/dev.jsonl and on validation-split requests
 * each put after an unrelated one (the two readings averaged equally: follow-ups 95 %, unrelated
 * 83.5 %; by words, half at 4: 95 % and 95.1 %; at 2: 85 / 95.7; at 8: 87.5 / 89.2), then measured
 * once on follow-ups/test.jsonl (written apart) and the test and probe requests after unrelated
 * ones: `npm run bench:classification`.
 */
import { TASK_TYPES, type TaskType } from "@/lib/domain";
import type { TaskClassification, TaskClassifier } from "./task-classifier";
import { isHanKanaWord, readShareIn, textParts } from "./text-features";

/** A follow-up with this many words of its own counts as much as the request before it. */
export const OWN_WORDS_HALF = 4;

export interface ConversationReading extends TaskClassification {
  /**
   * How much the request before it counted (0 for a first request). At a half or more (four
   * words or fewer of its own) the request is a follow-up whose kind is its conversation's:
   * its words alone say nothing of it, so it is no neighbour of requests worded like it and
   * follows a routing pattern only of its kind (lib/learning/pattern-region.ts).
   */
  conversationWeight: number;
}

/** The conversation counts at least as much as the request's own words: a follow-up (see ConversationReading). */
export function isFollowUp(r: Pick<ConversationReading, "conversationWeight">): boolean {
  return r.conversationWeight >= 0.5;
}

/** Words are counted up to this many: past it, the reading alone counts 0.89 or more either way. */
const WORDS_COUNTED = 32;
const wordSegments = new Intl.Segmenter(undefined, { granularity: "word" });

/**
 * How many words a request says itself. In ASCII, the classifier's own words; in other
 * scripts, the words Intl.Segmenter finds (Chinese and Japanese put no spaces between words:
 * "为什么这个函数在并发时会死锁？" is nine words, not none, so a new question in Chinese in
 * the middle of a conversation is read as its own, and "继续" as a follow-up).
 */
export function ownWords(prompt: string): number {
  const { words, scripts } = textParts(prompt);
  if (readShareIn(scripts, ["latin"]) === 1) return words.length;
  let n = 0;
  for (const s of wordSegments.segment(prompt)) if (s.isWordLike && ++n >= WORDS_COUNTED) break;
  // Han and kana are read as overlapping pairs of characters, not words: the segmenter counts those.
  return Math.max(n, Math.min(words.filter((w) => !isHanKanaWord(w)).length, WORDS_COUNTED));
}

/**
 * The request together with the user's request before it, as one text: how a follow-up is
 * read when its own words say little (classified, and embedded for its neighbours, patterns
 * and knowledge). At most `maxChars`, the request itself kept whole: the earlier request is
 * what gets shortened.
 */
export function withPrevious(prompt: string, previous: string, maxChars = Infinity): string {
  const room = Math.max(0, maxChars - prompt.length - 1);
  return `${previous.length > room ? previous.slice(0, room) : previous}\n${prompt}`;
}

/** The classification of `prompt`, the user's request before it in the conversation being `previous` (null: a first request). */
export function classifyInConversation(classifier: TaskClassifier, prompt: string, previous: string | null): ConversationReading {
  const alone = classifier.classify(prompt);
  if (!previous?.trim()) return { ...alone, conversationWeight: 0 };
  const together = classifier.classify(withPrevious(prompt, previous));
  const words = ownWords(prompt);
  const own = words / (words + OWN_WORDS_HALF);
  const probabilities = Object.fromEntries(TASK_TYPES.map((t) => [t, own * alone.probabilities[t] + (1 - own) * together.probabilities[t]])) as Record<TaskType, number>;
  const taskType = TASK_TYPES.reduce((best, t) => (probabilities[t] > probabilities[best] ? t : best));
  return { taskType, confidence: probabilities[taskType], probabilities, conversationWeight: 1 - own };
}
