/**
 * k-nearest-neighbour task classification over past rated requests: the k most similar
 * examples vote with weight similarity × example weight. Returns null when there is nothing
 * close enough to say anything. The vote needs only each example's similarity to the request:
 * a vector index that found the neighbours already knows it (pgvector's distance, the replay
 * benchmark's index), so no embedding has to travel back to be compared again.
 */
import type { TaskType } from "@/lib/domain";
import { cosineSimilarity } from "./vectors";

export { cosineSimilarity };

export type LabelledEmbedding = { embedding: readonly number[]; taskType: TaskType; weight?: number };

/** A past request with a confirmed task type and its (cosine) similarity to the request. */
export type NeighbourExample = { similarity: number; taskType: TaskType; weight?: number };

export type NeighbourVote = {
  taskType: TaskType;
  confidence: number;
  /** how many neighbours voted (at most k, all above minSimilarity) */
  neighbours: number;
  topSimilarity: number;
};

export type NeighbourOptions = { minSimilarity?: number };

/** The vote of the k most similar examples (similarities already known). */
export function voteOfNeighbours(examples: readonly NeighbourExample[], k = 7, { minSimilarity = 0.5 }: NeighbourOptions = {}): NeighbourVote | null {
  const near = examples
    .filter((n) => n.similarity >= minSimilarity && (n.weight ?? 1) > 0)
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, k);
  if (near.length === 0) return null;

  const votes = new Map<TaskType, number>();
  let total = 0;
  for (const { taskType, similarity, weight } of near) {
    const w = similarity * (weight ?? 1);
    votes.set(taskType, (votes.get(taskType) ?? 0) + w);
    total += w;
  }
  let best: TaskType = near[0].taskType;
  for (const [t, w] of votes) if (w > (votes.get(best) ?? 0)) best = t;
  const share = (votes.get(best) ?? 0) / total;
  const meanSimilarity = near.reduce((s, n) => s + n.similarity, 0) / near.length;
  // Few neighbours say less than many: shrink confidence toward 0 when n is small.
  const support = near.length / (near.length + 1);
  return { taskType: best, confidence: share * meanSimilarity * support, neighbours: near.length, topSimilarity: near[0].similarity };
}

/** The vote over examples given by their embeddings (cosine similarity to the request's). */
export function classifyByNeighbours(queryEmbedding: readonly number[], examples: readonly LabelledEmbedding[], k = 7, options: NeighbourOptions = {}): NeighbourVote | null {
  return voteOfNeighbours(
    examples.map((e) => ({ similarity: cosineSimilarity(queryEmbedding, e.embedding), taskType: e.taskType, weight: e.weight })),
    k,
    options,
  );
}
