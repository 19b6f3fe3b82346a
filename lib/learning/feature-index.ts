/**
 * Reads a text's features as ids into a trained model's feature list, fast: exactly the set
 * `textFeatures` gives, without building every n-gram string of every word again. A word's
 * own features (the word and its character n-grams) and each word pair's bigram are resolved
 * once and remembered (bounded memos; words repeat heavily, in code above all); a word met for
 * the first time has its character n-grams looked up by number, not by string. Features the
 * model does not know get ids of their own past the model's, so the distinct count (known
 * and unknown alike) that the classifier's length normalisation needs stays exact.
 */
import { bigramFeature, NON_ASCII, openingFeature, textParts, wordFeatures, type ScriptShares } from "./text-features";

/** Entries remembered (words, word pairs, unknown features) before the memos start afresh. */
const MEMO_LIMIT = 200_000;

/**
 * The characters a word's character n-grams are made of (text-features.ts: words are lower-case
 * ASCII letters, digits and `_+#'-`, padded with `<` `>`), each as a 6-bit code from 1: an
 * n-gram of up to five of them is one exact 30-bit number, looked up without building its string.
 */
const NGRAM_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_+#'-<>.";
const NGRAM_CODE = new Int8Array(128).fill(0);
for (let i = 0; i < NGRAM_ALPHABET.length; i++) NGRAM_CODE[NGRAM_ALPHABET.charCodeAt(i)] = i + 1;

/** The n-gram's number, or -1 when a character is outside the alphabet. */
function ngramKey(text: string, from: number, n: number): number {
  let key = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(from + i);
    const code = c < 128 ? NGRAM_CODE[c] : 0;
    if (code === 0) return -1;
    key = key * 64 + code;
  }
  return key;
}

export interface TextFeatureIds {
  /** the distinct known feature ids */
  known: Int32Array;
  /** how many distinct features the text has, known or not */
  distinct: number;
  /** each script's share of the text's letters and digits (text-features.ts) */
  scripts: ScriptShares;
}

export class FeatureIndex {
  private readonly index: Map<string, number>;
  private readonly size: number;
  private unknownIds = new Map<string, number>();
  /** known character n-grams by their number (ngramKey), and the unknown ones met so far */
  private readonly ngrams = new Map<number, number>();
  private unknownNgrams = new Map<number, number>();
  /** per word met: its number (an index into `pairs`) and the ids of its own features */
  private words = new Map<string, { n: number; ids: Int32Array }>();
  /** per first word's number, the bigram id by the second word's number (small-integer keys hash fast) */
  private pairs: Map<number, number>[] = [];
  private pairCount = 0;
  /** per id, the read it was last counted in (distinctness without a set) */
  private stamp: Uint32Array;
  private reads = 0;
  /** the read in progress: the known ids met so far, and how many distinct features */
  private known: number[] = [];
  private distinct = 0;

  constructor(features: readonly string[]) {
    this.index = new Map(features.map((f, i) => [f, i]));
    this.size = features.length;
    this.stamp = new Uint32Array(this.size + MEMO_LIMIT + 64);
    features.forEach((f, i) => {
      const key = f.startsWith("c:") ? ngramKey(f, 2, f.length - 2) : -1;
      if (key >= 0 && f.length - 2 <= 5) this.ngrams.set(key, i);
    });
    // The model's own vocabulary is resolved up front (tens of ms, once), so a request made of
    // known words never builds an n-gram string.
    for (const f of features) if (f.startsWith("w:") && !f.startsWith("w:^")) this.word(f.slice(2));
  }

  private id(f: string): number {
    const known = this.index.get(f);
    if (known !== undefined) return known;
    let id = this.unknownIds.get(f);
    if (id === undefined) this.unknownIds.set(f, (id = this.newUnknownId()));
    return id;
  }

  private newUnknownId(): number {
    return this.size + this.unknownIds.size + this.unknownNgrams.size;
  }

  private word(w: string): { n: number; ids: Int32Array } {
    let entry = this.words.get(w);
    if (!entry) {
      entry = { n: this.words.size, ids: this.wordIdsByNumber(w) ?? Int32Array.from(wordFeatures(w), (f) => this.id(f)) };
      this.words.set(w, entry);
      this.pairs.push(new Map());
    }
    return entry;
  }

  /**
   * The ids of wordFeatures(w) (the word, and its character 3–5-grams when it is a word of
   * letters), the n-grams found by number rather than by building each one's string: a new
   * word, an identifier above all, has dozens of them. Null when the word has a character
   * outside the n-gram alphabet, or in another script (then the strings are built).
   */
  private wordIdsByNumber(w: string): Int32Array | null {
    if (NON_ASCII.test(w)) return null;
    const padded = `<${w}>`;
    const grams = /^[a-z]/.test(w) && w.length >= 3;
    // The word, then its 3-, 4- and 5-grams: (L − 2) + (L − 3) + (L − 4) of a padded length L.
    const out = new Int32Array(1 + (grams ? 3 * padded.length - 9 : 0));
    out[0] = this.id(`w:${w}`);
    if (!grams) return out;
    let at = 1;
    for (let n = 3; n <= 5; n++) {
      for (let k = 0; k + n <= padded.length; k++) {
        const key = ngramKey(padded, k, n);
        if (key < 0) return null;
        let id = this.ngrams.get(key);
        if (id === undefined) {
          id = this.unknownNgrams.get(key);
          if (id === undefined) this.unknownNgrams.set(key, (id = this.newUnknownId()));
        }
        out[at++] = id;
      }
    }
    return out;
  }

  private pairId(a: string, an: number, b: string, bn: number): number {
    const next = this.pairs[an];
    let id = next.get(bn);
    if (id === undefined) next.set(bn, (id = this.id(bigramFeature(a, b)))), this.pairCount++;
    return id;
  }

  /** Forgets the memos when they are full (between reads, so one read's ids stay consistent). */
  private bound(words: number): void {
    // One read adds at most ~16 unknown features per word: keep that much headroom below the stamp array's end.
    if (this.unknownIds.size + this.unknownNgrams.size + 16 * (words + 8) < MEMO_LIMIT && this.words.size < MEMO_LIMIT && this.pairCount < MEMO_LIMIT) return;
    this.unknownIds = new Map();
    this.unknownNgrams = new Map();
    this.words = new Map();
    this.pairs = [];
    this.pairCount = 0;
    this.stamp.fill(0);
  }

  /** Counts one feature of the read in progress: once, however often the text has it. */
  private count(i: number): void {
    if (this.stamp[i] === this.reads) return;
    this.stamp[i] = this.reads;
    this.distinct++;
    if (i < this.size) this.known.push(i);
  }

  read(text: string): TextFeatureIds {
    const { marks, words, scripts } = textParts(text);
    this.bound(words.length);
    if (++this.reads === 0xffffffff) (this.stamp.fill(0), (this.reads = 1));
    this.known = [];
    this.distinct = 0;
    for (const m of marks) this.count(this.id(m));
    this.count(this.id(openingFeature(words)));
    for (let k = 0, before = -1; k < words.length; k++) {
      const { n, ids } = this.word(words[k]);
      for (let j = 0; j < ids.length; j++) this.count(ids[j]);
      if (k > 0) this.count(this.pairId(words[k - 1], before, words[k], n));
      before = n;
    }
    return { known: Int32Array.from(this.known), distinct: this.distinct, scripts };
  }
}
