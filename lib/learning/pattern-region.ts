/**
 * Which learned routing patterns a request falls inside (pure). A pattern is a region of
 * requests: its members are the requests whose feedback agreed with it and the requests
 * inside it whose outcome did not. A request belongs to a pattern when the pattern's member
 * nearest to it is an agreeing one (so disagreeing outcomes carve the region back) and one of
 * two witnesses says they are the same kind of request:
 *
 * - the embedding alone, strictly: seen from either side, the other is nearer than all but
 *   {@link NEAR_ALL_BUT} of the reference requests are (lib/learning/similarity-scale.ts);
 * - the embedding and the task classifier together, more loosely: the classifier gives the
 *   request at least {@link SAME_KIND} probability of a task type the pattern was taught on,
 *   and from one side or the other the two are nearer than all but {@link NEAR_IN_KIND} of the
 *   reference requests.
 *
 * A follow-up in a conversation ("continue", "and in rust?") needs the second witness
 * whatever its closeness: its few words say little of what it asks, and every "continue" is
 * near every other, so only the task type read in its conversation can say it is the same
 * kind of request as the pattern's.
 *
 * One exemplar of a kind of request and a paraphrase of it rarely share words, and an
 * embedding model's nearest neighbours mix kinds; the classifier (trained on other data) is
 * an independent second opinion that they are the same kind. Both thresholds are fractions
 * of the embedding model's own reference similarities and a probability, not similarities,
 * so they mean the same under any embedding model.
 */
import type { SimilarityScale } from "./similarity-scale";
import { closerThan, scaleAround } from "./similarity-scale";

/** The embedding alone: the fraction of unrelated reference requests that may be nearer than the member, from both sides. */
export const NEAR_ALL_BUT = 0.02;
/** With the classifier's agreement: the fraction that may be nearer, from one side… */
export const NEAR_IN_KIND = 0.2;
/** …when the request is at least this likely of a task type the pattern was taught on. */
export const SAME_KIND = 0.25;

export interface MemberHit {
  pattern_id: string;
  agrees: boolean;
  similarity: number;
  /** the member's embedding, to judge the closeness from its side too (absent: from the request's side only) */
  embedding?: readonly number[];
}

export interface RegionHit {
  patternId: string;
  /** similarity to the nearest agreeing member */
  similarity: number;
  /** the fraction of reference requests less similar to the request than that member (0 … 1), from the nearer-seeming side */
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
  /** a follow-up, classified in its conversation: closeness alone does not place it */
  followUp?: boolean;
}): RegionHit[] {
  const nearest = new Map<string, { agree: MemberHit | null; disagree: number }>();
  for (const m of input.members) {
    const n = nearest.get(m.pattern_id) ?? { agree: null, disagree: -Infinity };
    if (m.agrees) {
      if (!n.agree || m.similarity > n.agree.similarity) n.agree = m;
    } else n.disagree = Math.max(n.disagree, m.similarity);
    nearest.set(m.pattern_id, n);
  }
  const own = scaleAround(input.scale, input.request);
  const hits: RegionHit[] = [];
  for (const [patternId, { agree, disagree }] of nearest) {
    if (!agree || agree.similarity <= disagree) continue;
    // How unusual the closeness is for the request, and for the member (when its embedding is known).
    const fromRequest = closerThan(own, agree.similarity);
    const fromMember = agree.embedding ? closerThan(scaleAround(input.scale, agree.embedding), agree.similarity) : fromRequest;
    const sameKind = Math.min(1, input.taskTypesOf(patternId).reduce((s, t) => s + (input.taskProbabilities[t] ?? 0), 0));
    const nearAlone = 1 - Math.min(fromRequest, fromMember) <= NEAR_ALL_BUT;
    const nearInKind = sameKind >= SAME_KIND && 1 - Math.max(fromRequest, fromMember) <= NEAR_IN_KIND;
    if ((nearAlone && !input.followUp) || nearInKind) hits.push({ patternId, similarity: agree.similarity, closerThan: Math.max(fromRequest, fromMember) });
  }
  return hits.sort((a, b) => b.similarity - a.similarity);
}
