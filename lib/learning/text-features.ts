/**
 * The text features the task classifier reads: lower-cased word unigrams and bigrams,
 * character 3–5-grams inside words (so unseen spellings, typos and inflections still share
 * features: "optimise"/"optimizing", "segfault"/"segmentation"), and a few structural marks
 * of pasted material (code fences, tracebacks, LaTeX, error-like tokens, line count). The
 * training script (bench/classification/train.ts) and the request path use this one function,
 * so what was learned is what is read.
 */

/**
 * Of a long prompt, only its start and its end are read: the intent is stated first or, after
 * pasted code or a log, last ("…why does this fail?"), and it keeps a request in
 * microseconds. 1,200 characters in all (it was the first 3,000): a first read of a long
 * prompt, whose words are new, is a quarter cheaper.
 */
export const MAX_CHARS = 1200;
/** …of which the end of the prompt gets this many. */
export const TAIL_CHARS = 300;

/** The part of a prompt that is read: all of it, or its start and its end. */
export function readPart(raw: string): string {
  return raw.length <= MAX_CHARS ? raw : `${raw.slice(0, MAX_CHARS - TAIL_CHARS)}\n${raw.slice(-TAIL_CHARS)}`;
}

/**
 * Lower-case letters of the Latin script with their accents (é, ñ, ü, ß, ç, ø, ł, ő …): a word
 * of Spanish, German, French, Portuguese or Italian is one word, as in English ("función", not
 * "funci" and "n"). Other scripts are not read (readShareOf).
 */
const LATIN = "a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u024f";
const WORD = new RegExp(`[${LATIN}][${LATIN}0-9_+#'’-]*|\\d+(?:\\.\\d+)?`, "g");
const STARTS_WITH_LETTER = new RegExp(`^[${LATIN}]`);
/** A number standing alone (not part of an identifier such as `utf8` or `x86_64`). */
const NUMBER = /(?<![\w.])\d+(?:[.,]\d+)?(?![\w.])/g;
/** Numbers combined in words or signs people type for a calculation: "12 times 13", "7!", "10 choose 3", "square root of 144". */
const NUMBER_OPERATION = /\d\s*(?:x|times|plus|minus|divided by|over|mod(?:ulo)?|to the power of|choose)\s*\d|\d\s*(?:squared|cubed|factorial)\b|\d!(?!=)|\b(?:square|cube) root of\s*\d/i;

function structural(text: string): string[] {
  const marks: string[] = [];
  const lines = text.split("\n").length;
  marks.push(lines === 1 ? "s:lines1" : lines <= 5 ? "s:lines2-5" : lines <= 20 ? "s:lines6-20" : "s:lines21+");
  const len = text.length;
  marks.push(len < 40 ? "s:len<40" : len < 120 ? "s:len<120" : len < 400 ? "s:len<400" : "s:len400+");
  if (/```|~~~/.test(text)) marks.push("s:fence");
  if (/^\s*(?:at [\w$.<>]+\(.*:\d+\)|File ".*", line \d+|Traceback \(most recent call last\)|panic:|thread '.*' panicked|Caused by:)/m.test(text)) marks.push("s:trace");
  // Exception names and error codes by their case (TypeError, ERESOLVE; not "Explain", "terror"), error lines in any case.
  if (/\b[A-Z]\w*(?:Error|Exception)\b|\bE[A-Z]{3,}\b/.test(text) || /\berror(?:\[E\d+\])?:|\bexit (?:code|status) \d+|\bsegmentation fault\b/i.test(text)) marks.push("s:errtoken");
  if (/\$[^$\n]+\$|\\(?:frac|sqrt|int|sum|cdot|begin\{)|[∫∑√π≤≥]/.test(text)) marks.push("s:latex");
  if (/\d\s*[-+*/^×÷=]\s*\d/.test(text)) marks.push("s:arith");
  // Numbers as a kind, not only as tokens: each number is a word of its own ("w:12"), seen too
  // rarely to say anything, so "what is 12 times 13?" read as "what is …?", a concept question.
  const numbers = text.match(NUMBER)?.length ?? 0;
  if (numbers > 0) marks.push(numbers === 1 ? "s:num1" : numbers === 2 ? "s:num2" : "s:num3+");
  if (numbers > 0 && len < 120) marks.push("s:num-short");
  if (/\d\s*%|\bper ?cent\b/i.test(text)) marks.push("s:percent");
  if (NUMBER_OPERATION.test(text)) marks.push("s:num-op");
  if (/^\s*(?:def |function |class |public |private |fn |func |const |let |var |import |#include|SELECT |CREATE )/im.test(text)) marks.push("s:codeline");
  if (/[{};]\s*$/m.test(text)) marks.push("s:braces");
  if (text.trim().endsWith("?")) marks.push("s:question");
  return marks;
}

const NON_ASCII = /[^\x00-\x7f]/;
const ALNUM = /[\p{L}\p{N}]/gu;
/** The letters and digits WORD reads, in either case: ASCII and the accented Latin letters. */
const READ_ALNUM = /[a-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]/gi;

/**
 * The share of a text's letters and digits the features read. Every Latin letter and ASCII
 * digit is in some word or number (WORD starts one at any of them), so it is their share of
 * all of them, in any script: 1 for a text in English, Spanish or German or with no letters or
 * digits, near 0 for one in Chinese, Japanese or Cyrillic script; an equation among Chinese
 * words is read in part.
 */
function readShareOf(text: string): number {
  if (!NON_ASCII.test(text)) return 1; // the common case, in one native scan
  const all = text.match(ALNUM)?.length ?? 0;
  return all > 0 ? Math.min(1, (text.match(READ_ALNUM)?.length ?? 0) / all) : 1;
}

/**
 * The parts a text's features are made of: structural marks, its words in order (lower-cased),
 * and the share of its letters and digits those words hold (readShareOf). Words are in the
 * Latin script, as the corpora the classifiers learned from are (English; for the task
 * classifier also Spanish, Portuguese, French, German and Italian): a request in Chinese,
 * Japanese, Russian or Arabic script has few or no words here, and the classifiers say they
 * cannot read it rather than guess from its length and punctuation (linear-text-classifier.ts,
 * partlyRead).
 */
export function textParts(raw: string): { marks: string[]; words: string[]; readShare: number } {
  // An accent typed as a letter plus a combining mark is the one letter it looks like.
  const text = readPart(NON_ASCII.test(raw) ? raw.normalize("NFC") : raw);
  return { marks: structural(text), words: text.toLowerCase().replace(/[’]/g, "'").match(WORD) ?? [], readShare: readShareOf(text) };
}

/** The opening word says a lot: "explain", "why", "design", "fix". */
export const openingFeature = (words: readonly string[]) => `w:^${words[0] ?? ""}`;

export const bigramFeature = (a: string, b: string) => `b:${a} ${b}`;

/** A word's own features: the word, and its character 3–5-grams when it is a word of letters. */
export function wordFeatures(w: string): string[] {
  const out = [`w:${w}`];
  if (STARTS_WITH_LETTER.test(w) && w.length >= 3) {
    const padded = `<${w}>`;
    for (let n = 3; n <= 5; n++) for (let k = 0; k + n <= padded.length; k++) out.push(`c:${padded.slice(k, k + n)}`);
  }
  return out;
}

/** The distinct features of a text, in a stable order. */
export function textFeatures(raw: string): string[] {
  const { marks, words } = textParts(raw);
  const out = new Set<string>(marks);
  out.add(openingFeature(words));
  for (let i = 0; i < words.length; i++) {
    for (const f of wordFeatures(words[i])) out.add(f);
    if (i + 1 < words.length) out.add(bigramFeature(words[i], words[i + 1]));
  }
  return [...out];
}
