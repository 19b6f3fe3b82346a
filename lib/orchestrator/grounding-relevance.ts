/**
 * Whether retrieved knowledge is related enough to go into a model's prompt (pure). A cosine
 * similarity means nothing by itself: under nomic-embed-text unrelated texts score about 0.4,
 * under the simulator's stand-in a short "and in code?" scored 0.56 with a document about
 * authorisation. So a chunk is read against the embedding model's own background: how near
 * the reference requests, written to be unrelated to each other and to any one knowledge
 * base (lib/learning/calibration-texts.ts), come to that chunk. The request grounds in the
 * chunk when it is nearer than all but {@link UNRELATED_NEARER} of them are: like them a query
 * against a document, so the comparison holds whatever the model's task prefixes do.
 *
 * A strong full-text match needs less: nearer than four in five of them, so a chunk named by
 * its exact words is not lost to a model that embeds them poorly, while a match on a word
 * the chunk uses in another sense is.
 *
 * Chosen on bench/knowledge/data/grounding/dev (`npm run bench:grounding`): with the
 * simulator's stand-in, which embeds long chunks near everything, the meaning alone separates
 * little and most of what it can is in these two shares (all but 5 % / 2 % alike; half with
 * words: one more answered request found, four more unanswered ones given stray knowledge).
 */
import { closerThan, type SimilarityScale } from "@/lib/learning/similarity-scale";
import { dot, unit } from "@/lib/learning/vectors";

/** The share of unrelated reference requests that may come nearer the chunk than the request. */
export const UNRELATED_NEARER = 0.05;
/** With a strong full-text match, this share may. */
export const UNRELATED_NEARER_WITH_WORDS = 0.2;

export interface RetrievedChunk {
  /** the request's cosine similarity to the chunk (null: no vector candidate) */
  similarity: number | null;
  /** the full-text rank, normalised (null: no full-text match) */
  textRank: number | null;
  /** the chunk's embedding, by the same model as the request's */
  embedding?: readonly number[];
}

/** How unusual the request's closeness to the chunk is among the reference requests' (0 … 1); null when it cannot be told. */
export function closenessToChunk(chunk: RetrievedChunk, references: readonly (readonly number[])[]): number | null {
  if (chunk.similarity === null || !chunk.embedding || references.length === 0) return null;
  const c = unit(chunk.embedding);
  const yardstick: SimilarityScale = { background: Float64Array.from(references, (r) => dot(c, r)).sort() };
  return closerThan(yardstick, chunk.similarity);
}

/** The chunk's closeness and whether it grounds the request, from one reading of the references; `strongTextRank` is the full-text rank that counts as a strong match. */
export function judgeChunk(chunk: RetrievedChunk, references: readonly (readonly number[])[], strongTextRank: number): { closeness: number | null; grounds: boolean } {
  const closeness = closenessToChunk(chunk, references);
  const grounds =
    closeness !== null &&
    (closeness >= 1 - UNRELATED_NEARER || (chunk.textRank !== null && chunk.textRank >= strongTextRank && closeness >= 1 - UNRELATED_NEARER_WITH_WORDS));
  return { closeness, grounds };
}
