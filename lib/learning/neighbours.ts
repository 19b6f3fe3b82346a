/**
 * k-nearest-neighbour task classification over embeddings of past rated requests: the k most
 * similar examples (cosine) vote with weight similarity × example weight. Returns null when
 * there is nothing close enough to say anything.
 */
import type { TaskType } from "@/lib/domain";
import { cosineSimilarity } from "./vectors";

export { cosineSimilarity };

export type LabelledEmbedding = { embedding: readonly number[]; taskType: TaskType; weight?: number };

export type NeighbourVote = {
  taskType: TaskType;
  confidence: number;
  /** how many neighbours voted (at most k, all above minSimilarity) */
  neighbours: number;
  topSimilarity: number;
};

export type NeighbourOptions = { minSimilarity?: number };

export function classifyByNeighbours(
  queryEmbedding: readonly number[],
  examples: readonly LabelledEmbedding[],
  k = 7,
  { minSimilarity = 0.5 }: NeighbourOptions = {},
): NeighbourVote | null {
  const near = examples
    .map((e) => ({ e, similarity: cosineSimilarity(queryEmbedding, e.embedding) }))
    .filter((n) => n.similarity >= minSimilarity && (n.e.weight ?? 1) > 0)
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, k);
  if (near.length === 0) return null;

  const votes = new Map<TaskType, number>();
  let total = 0;
  for (const { e, similarity } of near) {
    const w = similarity * (e.weight ?? 1);
    votes.set(e.taskType, (votes.get(e.taskType) ?? 0) + w);
    total += w;
  }
  let best: TaskType = near[0].e.taskType;
  for (const [t, w] of votes) if (w > (votes.get(best) ?? 0)) best = t;
  const share = (votes.get(best) ?? 0) / total;
  const meanSimilarity = near.reduce((s, n) => s + n.similarity, 0) / near.length;
  // Few neighbours say less than many: shrink confidence toward 0 when n is small.
  const support = near.length / (near.length + 1);
  return { taskType: best, confidence: share * meanSimilarity * support, neighbours: near.length, topSimilarity: near[0].similarity };
}
