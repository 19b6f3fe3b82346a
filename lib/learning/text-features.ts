/**
 * The text features the task classifier reads: lower-cased word unigrams and bigrams,
 * character 3–5-grams inside words (so unseen spellings, typos and inflections still share
 * features: "optimise"/"optimizing", "segfault"/"segmentation"), Chinese and Japanese as
 * pairs of characters, and a few structural marks of pasted material (code fences,
 * tracebacks, LaTeX, error-like tokens, line count) and of length. The
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
 * The scripts whose words are read. Alphabets and Hangul make words of letters, as English does
 * (Latin with its accents: é, ñ, ü, ß, ç, ø, ł, ő, ệ, so "función" is one word, not "funci" and
 * "n"; Cyrillic, Greek, Arabic; Korean, whose words are spaced). Chinese and Japanese put no spaces
 * between words: a run of Han or kana is read as its overlapping pairs of characters
 * ("快速排序" → 快速, 速排, 排序), each pair a word (hanWords). Other scripts (Hebrew,
 * Devanagari, Thai …) are not read: scriptSharesOf says how much of a text is in each.
 */
const LATIN = "a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u024f\u1e00-\u1eff";
const CYRILLIC = "\u0400-\u052f";
const GREEK = "\u0370-\u03ff";
const HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3";
/** The letters (and their vowel marks) of the Arabic script, Persian's and Urdu's among them; not its punctuation or digits. */
const ARABIC = "\u0620-\u065f\u066e-\u06d3\u06d5\u06fa-\u06fc\u0750-\u077f";
/** Han (with its extension A and compatibility ideographs), hiragana and katakana. */
const HAN_KANA = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
/** A word is in one script: "React에서" is "react" and "에서", "API-ключ" is "api-" and "ключ". */
const WORD = new RegExp(
  [`[${LATIN}][${LATIN}0-9_+#'’-]*`, `[${CYRILLIC}][${CYRILLIC}0-9'’-]*`, `[${GREEK}]+`, `[${HANGUL}]+`, `[${ARABIC}]+`, "\\d+(?:\\.\\d+)?", `[${HAN_KANA}]+`].join("|"),
  "g",
);
const STARTS_WITH_LETTER = new RegExp(`^[${LATIN}${CYRILLIC}${GREEK}${HANGUL}${ARABIC}]`);
const HAN_KANA_RUN = new RegExp(`^[${HAN_KANA}]`);
/** A word of textParts that is a pair of Han or kana characters (or one alone), not a spaced word. */
export const isHanKanaWord = (w: string) => HAN_KANA_RUN.test(w);

/** A number standing alone (not part of an identifier such as `utf8` or `x86_64`). */
const NUMBER = /(?<![\w.])\d+(?:[.,]\d+)?(?![\w.])/g;
/** Numbers combined in words or signs people type for a calculation: "12 times 13", "7!", "10 choose 3", "square root of 144". */
const NUMBER_OPERATION = /\d\s*(?:x|times|plus|minus|divided by|over|mod(?:ulo)?|to the power of|choose)\s*\d|\d\s*(?:squared|cubed|factorial)\b|\d!(?!=)|\b(?:square|cube) root of\s*\d/i;

/** A character outside ASCII: a text without one is English-like and takes the fast paths. */
export const NON_ASCII = /[^\x00-\x7f]/;

/** Han, kana and Hangul: one of them says about as much as three Latin letters do. */
const WIDE = new RegExp(`[${HAN_KANA}${HANGUL}]`, "g");

/**
 * A text's length in Latin letters' worth: a character of Chinese, Japanese or Korean counts
 * three, so "short" and "long" mean as much said in any script ("为什么我的C程序在释放指针两次时会段错误？"
 * is 21 characters and as long as "why does my C program segfault when I free a pointer twice?").
 */
function latinLength(text: string): number {
  if (!NON_ASCII.test(text)) return text.length;
  return text.length + 2 * (text.match(WIDE)?.length ?? 0);
}

function structural(text: string): string[] {
  const marks: string[] = [];
  const lines = text.split("\n").length;
  marks.push(lines === 1 ? "s:lines1" : lines <= 5 ? "s:lines2-5" : lines <= 20 ? "s:lines6-20" : "s:lines21+");
  const len = latinLength(text);
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

const ALNUM = /[\p{L}\p{N}]/gu;

export const SCRIPTS = ["latin", "cyrillic", "greek", "hangul", "han_kana", "arabic"] as const;
/** A script whose words WORD reads (Latin with ASCII digits). */
export type Script = (typeof SCRIPTS)[number];
/** Per script, its share of a text's letters and digits; what is left is in scripts not read. */
export type ScriptShares = Readonly<Record<Script, number>>;

/** The letters (and, for Latin, digits) of each script, in either case. */
const SCRIPT_CHARS: Record<Script, RegExp> = {
  latin: new RegExp(`[${LATIN}0-9]`, "gi"),
  cyrillic: new RegExp(`[${CYRILLIC}]`, "g"),
  greek: new RegExp(`[${GREEK}]`, "g"),
  hangul: new RegExp(`[${HANGUL}]`, "g"),
  han_kana: new RegExp(`[${HAN_KANA}]`, "g"),
  arabic: new RegExp(`[${ARABIC}]`, "g"),
};
/** An ASCII text, or one with no letters or digits: nothing in it is outside the Latin script. */
const ALL_LATIN: ScriptShares = { latin: 1, cyrillic: 0, greek: 0, hangul: 0, han_kana: 0, arabic: 0 };

/**
 * The share of a text's letters and digits in each script read: every letter of those scripts
 * and every ASCII digit is in some word or number (WORD starts one at any of them). A text in
 * English, Spanish or German is all Latin, one in Chinese all han_kana, an equation among
 * Hebrew words Latin in part.
 */
function scriptSharesOf(text: string): ScriptShares {
  if (!NON_ASCII.test(text)) return ALL_LATIN; // the common case, in one native scan
  const all = text.match(ALNUM)?.length ?? 0;
  if (all === 0) return ALL_LATIN;
  const share = (s: Script) => (text.match(SCRIPT_CHARS[s])?.length ?? 0) / all;
  return { latin: share("latin"), cyrillic: share("cyrillic"), greek: share("greek"), hangul: share("hangul"), han_kana: share("han_kana"), arabic: share("arabic") };
}

/**
 * How much of a text a reader of `scripts` reads: the share of its letters and digits in
 * those scripts. A classifier reads the scripts its training corpus was written in
 * (LinearTextModel.scripts); the rest of a text it cannot read (linear-text-classifier.ts, partlyRead).
 */
export function readShareIn(shares: ScriptShares, scripts: readonly Script[]): number {
  let sum = 0;
  for (const s of scripts) sum += shares[s];
  return sum > 1 - 1e-9 ? 1 : sum;
}

/** A run of Han or kana as its overlapping pairs of characters (one character alone stays one). */
function hanWords(run: string): string[] {
  const chars = [...run];
  if (chars.length === 1) return chars;
  const out: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
  return out;
}

/**
 * The parts a text's features are made of: structural marks, its words in order (lower-cased;
 * a run of Han or kana as its pairs of characters) and each script's share of its letters and
 * digits. Which scripts a classifier can read is the classifier's (its corpus'): a request in
 * a script it never learned, or in Hebrew, Devanagari or Thai, which no one here reads, is
 * not guessed from its length and punctuation (linear-text-classifier.ts, partlyRead).
 */
export function textParts(raw: string): { marks: string[]; words: string[]; scripts: ScriptShares } {
  // An accent typed as a letter plus a combining mark is the one letter it looks like.
  const text = readPart(NON_ASCII.test(raw) ? raw.normalize("NFC") : raw);
  const found = text.toLowerCase().replace(/[’]/g, "'").match(WORD) ?? [];
  const scripts = scriptSharesOf(text);
  const words = scripts.han_kana > 0 ? found.flatMap((w) => (isHanKanaWord(w) ? hanWords(w) : [w])) : found;
  return { marks: structural(text), words, scripts };
}

/** The opening word says a lot: "explain", "why", "design", "fix". */
export const openingFeature = (words: readonly string[]) => `w:^${words[0] ?? ""}`;

export const bigramFeature = (a: string, b: string) => `b:${a} ${b}`;

/**
 * A word's own features: the word, and its character 3–5-grams when it is a word of letters;
 * a pair of Han or kana characters also each character alone (写 "write", 错 "wrong", 慢 "slow").
 */
export function wordFeatures(w: string): string[] {
  const out = [`w:${w}`];
  if (isHanKanaWord(w)) {
    const chars = [...w];
    if (chars.length > 1) for (const c of chars) out.push(`w:${c}`);
    return out;
  }
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
