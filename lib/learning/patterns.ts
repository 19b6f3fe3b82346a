import "server-only";
import { nearestMembersInMemory, resetPatternCache } from "./pattern-cache";
import { asSystem, type Queryable } from "@/lib/db";
import { insertRoutingPattern, updateRoutingPattern, type RoutingPatternRow } from "@/lib/db/queries/learning";
import { insertPatternMember, nearestPatternMembers, routingPatternsById } from "@/lib/db/queries/pattern-members";
import { patternAppliesTo, patternShared, sameModel } from "@/lib/domain";
import { patternsContaining, type RegionHit } from "./pattern-region";
import { similarityScale } from "./similarity-calibration";
import type { SimilarityScale } from "./similarity-scale";

/**
 * Learned routing patterns (seed scenario 1): "model X would have been better" for a request
 * makes requests like it go to X. A pattern is a region of requests (lib/learning/pattern-region.ts):
 * agreeing feedback grows it, a disagreeing outcome inside it carves it back, its confidence
 * is the posterior mean of how often it held. It serves the users who taught it, and
 * everyone once several users agree or an operator approved it (lib/domain/pattern-scope.ts).
 */

/** Follow a pattern only while it has held up at least this often (posterior mean of its successes). */
export const PATTERN_MIN_CONFIDENCE = 0.6;

export interface PatternRequest {
  embedding: number[];
  embeddingModel: string;
  taskType: string | null;
  /** the classification's probability of each task type, when known (else the task type alone counts) */
  taskProbabilities?: Readonly<Record<string, number>>;
  interactionId: string | null;
  userId: string | null;
  /** a follow-up, classified in its conversation (pattern-region.ts: closeness alone does not place it) */
  followUp?: boolean;
}

type RegionQuery = Pick<PatternRequest, "embedding" | "embeddingModel" | "taskType" | "taskProbabilities" | "followUp">;

/** What the region test needs to know of the request. */
function regionQuery(r: RegionQuery) {
  return { request: r.embedding, taskProbabilities: r.taskProbabilities ?? (r.taskType ? { [r.taskType]: 1 } : {}), followUp: r.followUp };
}

type Containing = RegionHit & { pattern: Omit<RoutingPatternRow, "similarity"> & { task_types: string[] } };

/**
 * The patterns whose region holds the request, nearest first ([] when the embedding model
 * could not be calibrated). The scale is read before the transaction opens (it reads too).
 */
async function containing(tx: Queryable, r: RegionQuery, scale: SimilarityScale | null): Promise<Containing[]> {
  if (!scale) return [];
  const members = await nearestPatternMembers(tx, { embedding: r.embedding, embeddingModel: r.embeddingModel });
  const patterns = new Map((await routingPatternsById(tx, [...new Set(members.map((m) => m.pattern_id))])).map((p) => [p.id, p]));
  const hits = patternsContaining({ members, taskTypesOf: (id) => patterns.get(id)?.task_types ?? [], ...regionQuery(r), scale });
  return hits.flatMap((h) => (patterns.has(h.patternId) ? [{ ...h, pattern: patterns.get(h.patternId)! }] : []));
}

/**
 * The pattern a request follows, if any: it holds the request, is confident, its model
 * available, and it applies to this user. Read from memory (lib/learning/pattern-cache.ts).
 */
export async function matchRoutingPattern(
  r: RegionQuery & { userId: string; available: (model: string) => boolean },
): Promise<(RoutingPatternRow & { closerThan: number }) | null> {
  const scale = await similarityScale(r.embeddingModel).catch(() => null);
  if (!scale) return null;
  const inMemory = await nearestMembersInMemory(r.embedding, r.embeddingModel);
  const hits = inMemory
    ? patternsContaining({ members: inMemory.members, taskTypesOf: (id) => inMemory.patterns.get(id)?.task_types ?? [], ...regionQuery(r), scale }).flatMap((h) =>
        inMemory.patterns.has(h.patternId) ? [{ ...h, pattern: inMemory.patterns.get(h.patternId)! }] : [],
      )
    : await asSystem((tx) => containing(tx, r, scale));
  const hit = hits.find((h) => h.pattern.confidence_score >= PATTERN_MIN_CONFIDENCE && r.available(h.pattern.model_name) && patternAppliesTo(h.pattern.pattern_data, r.userId));
  return hit ? { ...hit.pattern, similarity: hit.similarity, closerThan: hit.closerThan } : null;
}

function member(patternId: string, r: PatternRequest, agrees: boolean) {
  return { patternId, agrees, interactionId: r.interactionId, userId: r.userId, taskType: r.taskType, embedding: r.embedding, embeddingModel: r.embeddingModel };
}

/**
 * A user said `betterModel` should have answered this request instead of `worseModel`: the
 * pattern for `betterModel` that holds the request grows by it (or a new one starts from
 * it, for this user only); patterns holding it that point at `worseModel` shrink (and count a
 * failure, but for `followedPatternId`, the one the answer followed, whose count the answer's
 * reward moves).
 */
export async function reinforceRoutingPattern(c: PatternRequest & { betterModel: string; worseModel: string | null; userId: string; followedPatternId?: string | null }): Promise<{
  patternId: string;
  created: boolean;
  confidence: number;
  shared: boolean;
}> {
  const scale = await similarityScale(c.embeddingModel).catch(() => null);
  // This process's copy is dropped at once; the other instances' by the database's notification.
  return asSystem(async (tx) => {
    const hits = await containing(tx, c, scale);
    for (const h of hits) {
      if (c.worseModel && sameModel(h.pattern.model_name, c.worseModel)) {
        // The pattern the answer followed counts it through the answer's reward (the better model named makes it 0).
        if (h.patternId !== c.followedPatternId) await updateRoutingPattern(tx, { id: h.patternId, successDelta: 0, failureDelta: 1 });
        await insertPatternMember(tx, member(h.patternId, c, false));
      }
    }
    const match = hits.find((h) => sameModel(h.pattern.model_name, c.betterModel));
    if (match) {
      const p = match.pattern.pattern_data;
      const exemplars = [...new Set([...(p.exemplars ?? []), ...(c.interactionId ? [c.interactionId] : [])])].slice(-20);
      const fromModels = [...new Set([...(p.fromModels ?? []), ...(c.worseModel ? [c.worseModel] : [])])];
      const teachers = p.teachers === undefined ? undefined : [...new Set([...p.teachers, c.userId])];
      const data = { ...p, exemplars, fromModels, ...(teachers ? { teachers } : {}) };
      const updated = await updateRoutingPattern(tx, { id: match.patternId, successDelta: 1, failureDelta: 0, data });
      await insertPatternMember(tx, member(match.patternId, c, true));
      return { patternId: match.patternId, created: false, confidence: updated?.confidence_score ?? match.pattern.confidence_score, shared: patternShared(data) };
    }
    const confidence = 2 / 3; // Beta(1 + 1 success, 1 + 0 failures)
    const patternId = await insertRoutingPattern(tx, {
      taskType: c.taskType,
      model: c.betterModel,
      embedding: c.embedding,
      embeddingModel: c.embeddingModel,
      confidence,
      data: { exemplars: c.interactionId ? [c.interactionId] : [], fromModels: c.worseModel ? [c.worseModel] : [], teachers: [c.userId] },
    });
    await insertPatternMember(tx, member(patternId, c, true));
    return { patternId, created: true, confidence, shared: false };
  }).finally(resetPatternCache);
}

/**
 * The outcome of an answer that followed a pattern, when it finished: a success when the
 * pattern's model answered. It counts towards the pattern's confidence; a failure also marks
 * the request as outside the region. What the user says of the answer later replaces that
 * outcome (correctPatternOutcome, from lib/learning/answer-reward.ts): the answer counts once.
 */
export async function recordPatternOutcome(patternId: string, success: boolean, request?: PatternRequest): Promise<void> {
  await asSystem(async (tx) => {
    await updateRoutingPattern(tx, { id: patternId, successDelta: success ? 1 : 0, failureDelta: success ? 0 : 1 });
    if (request && !success) await insertPatternMember(tx, member(patternId, request, false));
  }).finally(resetPatternCache);
}

/** An answer the pattern routed, already counted, turned from success to failure or back: the counts move, not add. */
export async function correctPatternOutcome(patternId: string, { from, to }: { from: boolean; to: boolean }): Promise<void> {
  if (from === to) return;
  await asSystem((tx) => updateRoutingPattern(tx, { id: patternId, successDelta: to ? 1 : -1, failureDelta: to ? -1 : 1 })).finally(resetPatternCache);
}

/** A verdict on an answer the pattern routed reshapes its region: a good one adds the request, a poor one carves it out. */
export async function reshapePattern(patternId: string, request: PatternRequest, agrees: boolean): Promise<void> {
  await asSystem((tx) => insertPatternMember(tx, member(patternId, request, agrees))).finally(resetPatternCache);
}
