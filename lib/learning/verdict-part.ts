/**
 * Where a user's verdict on an answer stands in a message that turns (pure): after the turn.
 * "Thanks, but it still fails on empty input" says the answer failed; "perfect, except it
 * crashes on Windows", that it did not work; "thanks, but add tests", what should change. What
 * comes before a "but" (or "though", "however", "except"…) is politeness or the part that was
 * fine, so the readers of praise, complaints and follow-ups read the part after the last turn.
 */

/** Words that turn a sentence from what was good to what was not. */
const TURN = /\b(?:but|though|although|however|except|yet|wish)\b/gi;

/** The text after its last turning word, or the whole text when it has none (or nothing follows it). */
export function verdictPart(text: string): string {
  const parts = text.split(TURN);
  const last = parts[parts.length - 1].trim();
  return parts.length > 1 && /[\p{L}\p{N}]/u.test(last) ? last : text;
}
