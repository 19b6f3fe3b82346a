import { hash32 } from "./random";

/**
 * A deterministic stand-in for an embedding model: feature hashing of word unigrams (weight
 * 1), word bigrams (0.7) and character trigrams (0.35) into `dim` signed buckets, then L2
 * normalisation. Texts sharing words and spellings get a high cosine similarity; unrelated
 * texts land near 0, as with a real model (though without any notion of synonyms).
 */
export function simEmbed(text: string, dim = 768): number[] {
  const v = new Float64Array(dim);
  const add = (feature: string, weight: number) => {
    const h = hash32(feature);
    v[h % dim] += h & 0x80000000 ? -weight : weight;
  };
  const words = text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  for (let i = 0; i < words.length; i++) {
    add(`w:${words[i]}`, 1);
    if (i > 0) add(`b:${words[i - 1]} ${words[i]}`, 0.7);
    const padded = ` ${words[i]} `;
    for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, 0.35);
  }
  let norm = 0;
  for (let i = 0; i < dim; i++) norm += v[i] * v[i];
  norm = Math.sqrt(norm);
  if (norm === 0) {
    // An empty text still gets a unit vector, so cosine similarity stays defined.
    const out = new Array<number>(dim).fill(0);
    out[0] = 1;
    return out;
  }
  return Array.from(v, (x) => x / norm);
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
