import { hash32, rng } from "./random";
import { DIMENSIONS, addRow, frequencyWeight, wordVectors } from "./word-vectors";

/**
 * A deterministic stand-in for an embedding model such as nomic-embed-text. It knows
 * general English meaning, nothing about this project: the first 100 dimensions are a
 * smooth-inverse-frequency average of GloVe word vectors (Arora et al. 2017), so paraphrases
 * in other words land near and unrelated requests far. Arora et al. also remove the
 * sentences' common direction; estimated here from the vocabulary (no corpus of sentences is
 * at hand), removing it cost more than it gave: on the project's development paraphrase sets
 * a paraphrase was nearer than an unrelated request 74% of the time with it, 87% without;
 * the remaining dimensions hash word unigrams and bigrams, so shared wording counts too, as
 * it does for a real model. Words GloVe lacks (most identifiers) get a pseudo-random vector
 * from their character trigrams, so `segfault` sits near `segfaults`. Cosine similarity =
 * 0.8 × meaning + 0.2 × wording. Its numbers are not nomic's (baseline, spread): the app must
 * calibrate against whatever model answers, and tests must not depend on them.
 *
 * nomic's task prefixes (`search_query: `, `search_document: `, `clustering: `,
 * `classification: `) are recognised and stripped; the stand-in embeds all tasks alike.
 */
const MEANING = Math.sqrt(0.8);
const WORDING = Math.sqrt(0.2);
const TASK_PREFIX = /^\s*(?:search_query|search_document|clustering|classification)\s*:\s*/i;

/** Splits identifiers (camelCase, snake_case, kebab-case) into words, lower case. */
function wordsOf(text: string): string[] {
  const spaced = text.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ");
  return spaced.toLowerCase().match(/[\p{L}\p{N}']+/gu)?.map((w) => w.replace(/^'+|'+$/g, "")).filter(Boolean) ?? [];
}

const oovCache = new Map<string, Float64Array>();
/** A word GloVe lacks: the sum of pseudo-random vectors of its character trigrams. */
function unknownWord(word: string): Float64Array {
  const hit = oovCache.get(word);
  if (hit) return hit;
  const v = new Float64Array(DIMENSIONS);
  const padded = ` ${word} `;
  for (let j = 0; j + 3 <= padded.length; j++) {
    const r = rng(hash32("tri", padded.slice(j, j + 3)));
    for (let i = 0; i < DIMENSIONS; i++) v[i] += r() * 2 - 1;
  }
  const norm = Math.hypot(...v) || 1;
  // As long as a typical word vector of GloVe's (~5), so a rare identifier weighs like a rare word.
  for (let i = 0; i < DIMENSIONS; i++) v[i] = (v[i] / norm) * 5;
  if (oovCache.size > 50_000) oovCache.clear();
  oovCache.set(word, v);
  return v;
}

function meaning(words: string[]): Float64Array {
  const t = wordVectors();
  const v = new Float64Array(DIMENSIONS);
  for (const w of words) {
    const r = t.rank.get(w);
    if (r !== undefined) addRow(t, r, frequencyWeight(r), v);
    else {
      const u = unknownWord(w);
      for (let i = 0; i < DIMENSIONS; i++) v[i] += u[i];
    }
  }
  return v;
}

function wording(words: string[], dim: number): Float64Array {
  const v = new Float64Array(dim);
  const add = (feature: string, weight: number) => {
    const h = hash32(feature);
    v[h % dim] += h & 0x80000000 ? -weight : weight;
  };
  for (let i = 0; i < words.length; i++) {
    add(`w:${words[i]}`, 1);
    if (i > 0) add(`b:${words[i - 1]} ${words[i]}`, 0.7);
  }
  return v;
}

function unit(v: Float64Array): Float64Array | null {
  const norm = Math.hypot(...v);
  if (!norm) return null;
  for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

export function simEmbed(text: string, dim = 768): number[] {
  const words = wordsOf(text.replace(TASK_PREFIX, ""));
  const out = new Array<number>(dim).fill(0);
  const m = unit(meaning(words));
  const w = dim > DIMENSIONS ? unit(wording(words, dim - DIMENSIONS)) : null;
  if (!m && !w) {
    out[0] = 1; // an empty text still gets a unit vector, so cosine similarity stays defined
    return out;
  }
  const mw = m ? (w ? MEANING : 1) : 0;
  const ww = w ? (m ? WORDING : 1) : 0;
  for (let i = 0; i < Math.min(dim, DIMENSIONS); i++) out[i] = m ? m[i] * mw : 0;
  if (w) for (let i = 0; i < w.length; i++) out[DIMENSIONS + i] = w[i] * ww;
  return out;
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}
