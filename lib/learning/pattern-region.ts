/**
 * Which learned routing patterns a request falls inside (pure). A pattern is a region of
 * requests: its members are the requests whose feedback agreed with it and the requests
 * inside it whose outcome did not. A request belongs to a pattern when the pattern's member
 * nearest to it is an agreeing one (so disagreeing outcomes carve the region back) and that
 * member is near by the embedding model's own standard for this request: nearer to it than
 * all but {@link NEAR_ALL_BUT} of the reference requests are (lib/learning/similarity-scale.ts),
 * and up to {@link TASK_WIDENING} more when the classification says the request is of the
 * task type the pattern was taught on (in proportion to its probability). One exemplar of a
 * kind of request and a paraphrase of it rarely share words; that the classifier puts both
 * in one task type is a second, independent witness that they are the same kind.
 */
import type { SimilarityScale } from "./similarity-scale";
import { closerThan, scaleAround } from "./similarity-scale";

/** The fraction of unrelated reference requests that may be nearer the request than the member… */
export const NEAR_ALL_BUT = 0.02;
/** …plus this much, times the probability that the request is of a task type the pattern was taught on. */
export const TASK_WIDENING = 0.08;

export interface MemberHit {
  pattern_id: string;
  agrees: boolean;
  similarity: number;
}

export interface RegionHit {
  patternId: string;
  /** similarity to the nearest agreeing member */
  similarity: number;
  /** the fraction of reference requests less similar to the request than that member (0 … 1) */
  closerThan: number;
}

export function patternsContaining(input: {
  members: readonly MemberHit[];
  /** the request's embedding */
  request: readonly number[];
  /** the task types each pattern's agreeing members were classified as */
  taskTypesOf: (patternId: string) => readonly string[];
  /** the request's probability of each task type (a known task type alone: 1 for it) */
  taskProbabilities: Readonly<Record<string, number>>;
  scale: SimilarityScale;
}): RegionHit[] {
  const nearest = new Map<string, { agree: number; disagree: number }>();
  for (const m of input.members) {
    const n = nearest.get(m.pattern_id) ?? { agree: -Infinity, disagree: -Infinity };
    if (m.agrees) n.agree = Math.max(n.agree, m.similarity);
    else n.disagree = Math.max(n.disagree, m.similarity);
    nearest.set(m.pattern_id, n);
  }
  const own = scaleAround(input.scale, input.request);
  const hits: RegionHit[] = [];
  for (const [patternId, n] of nearest) {
    if (n.agree <= n.disagree) continue;
    const sameTask = Math.min(1, input.taskTypesOf(patternId).reduce((s, t) => s + (input.taskProbabilities[t] ?? 0), 0));
    const nearer = closerThan(own, n.agree);
    if (1 - nearer <= NEAR_ALL_BUT + TASK_WIDENING * sameTask) hits.push({ patternId, similarity: n.agree, closerThan: nearer });
  }
  return hits.sort((a, b) => b.similarity - a.similarity);
}
