/**
 * Which learned routing patterns a request falls inside (pure). A pattern is a region of
 * requests: its members are the requests whose feedback agreed with it and the requests
 * inside it whose outcome did not. A request belongs to a pattern when the pattern's member
 * nearest to it is an agreeing one (so disagreeing outcomes carve the region back) and that
 * member is near by the embedding model's own standard (lib/learning/similarity-scale.ts):
 * closer than {@link NEAR_SAME_TASK} of pairs of different requests when the request is of
 * a task type the pattern was taught on, closer than {@link NEAR_ANY_TASK} otherwise.
 */
import type { SimilarityScale } from "./similarity-scale";
import { closerThan, similarityQuantile } from "./similarity-scale";

/** Quantile of the background a member must beat when the task type agrees… */
export const NEAR_SAME_TASK = 0.9;
/** …and when it does not (only a near-paraphrase crosses task types). */
export const NEAR_ANY_TASK = 0.99;

export interface MemberHit {
  pattern_id: string;
  agrees: boolean;
  similarity: number;
}

export interface RegionHit {
  patternId: string;
  /** similarity to the nearest agreeing member */
  similarity: number;
  /** the fraction of pairs of different requests less similar than that (0 … 1) */
  closerThan: number;
}

export function patternsContaining(input: {
  members: readonly MemberHit[];
  /** the task types each pattern's agreeing members were classified as */
  taskTypesOf: (patternId: string) => readonly string[];
  taskType: string;
  scale: SimilarityScale;
}): RegionHit[] {
  const nearest = new Map<string, { agree: number; disagree: number }>();
  for (const m of input.members) {
    const n = nearest.get(m.pattern_id) ?? { agree: -Infinity, disagree: -Infinity };
    if (m.agrees) n.agree = Math.max(n.agree, m.similarity);
    else n.disagree = Math.max(n.disagree, m.similarity);
    nearest.set(m.pattern_id, n);
  }
  const sameTask = similarityQuantile(input.scale, NEAR_SAME_TASK);
  const anyTask = similarityQuantile(input.scale, NEAR_ANY_TASK);
  const hits: RegionHit[] = [];
  for (const [patternId, n] of nearest) {
    if (n.agree <= n.disagree) continue;
    const needed = input.taskTypesOf(patternId).includes(input.taskType) ? sameTask : anyTask;
    if (n.agree >= needed) hits.push({ patternId, similarity: n.agree, closerThan: closerThan(input.scale, n.agree) });
  }
  return hits.sort((a, b) => b.similarity - a.similarity);
}
