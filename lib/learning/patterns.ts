import "server-only";
import { asSystem } from "@/lib/db";
import { insertRoutingPattern, nearestRoutingPatterns, updateRoutingPattern } from "@/lib/db/queries/learning";
import { patternShared, sameModel } from "@/lib/domain";

/** A correction joins an existing pattern when its request is at least this similar to it. */
const MERGE_SIMILARITY = 0.75;

/**
 * Seed scenario 1: "model X would have been better" for a request makes requests like it go
 * to X. It strengthens the nearest pattern that already points at X, or creates one with
 * the request's embedding as its exemplar; patterns nearby that point at the model that
 * answered badly lose confidence (and fade when they keep failing).
 */
export async function reinforceRoutingPattern(c: {
  embedding: number[];
  embeddingModel: string;
  taskType: string | null;
  betterModel: string;
  worseModel: string | null;
  interactionId: string;
  /** who taught it: a pattern serves its teachers first, everyone once enough users agree */
  userId: string;
}): Promise<{ patternId: string; created: boolean; confidence: number; shared: boolean }> {
  return asSystem(async (tx) => {
    const near = await nearestRoutingPatterns(tx, { embedding: c.embedding, limit: 5, minSimilarity: MERGE_SIMILARITY });
    for (const p of near) {
      if (c.worseModel && sameModel(p.model_name, c.worseModel)) await updateRoutingPattern(tx, { id: p.id, successDelta: 0, failureDelta: 1 });
    }
    const match = near.find((p) => sameModel(p.model_name, c.betterModel));
    if (match) {
      const exemplars = [...new Set([...(match.pattern_data.exemplars ?? []), c.interactionId])].slice(-20);
      const fromModels = [...new Set([...(match.pattern_data.fromModels ?? []), ...(c.worseModel ? [c.worseModel] : [])])];
      const teachers = match.pattern_data.teachers === undefined ? undefined : [...new Set([...match.pattern_data.teachers, c.userId])];
      const data = { ...match.pattern_data, exemplars, fromModels, ...(teachers ? { teachers } : {}) };
      const updated = await updateRoutingPattern(tx, { id: match.id, successDelta: 1, failureDelta: 0, data });
      return { patternId: match.id, created: false, confidence: updated?.confidence_score ?? match.confidence_score, shared: patternShared(data) };
    }
    const confidence = 2 / 3; // Beta(1 + 1 success, 1 + 0 failures)
    const patternId = await insertRoutingPattern(tx, {
      taskType: c.taskType,
      model: c.betterModel,
      embedding: c.embedding,
      embeddingModel: c.embeddingModel,
      confidence,
      data: { exemplars: [c.interactionId], fromModels: c.worseModel ? [c.worseModel] : [], teachers: [c.userId] },
    });
    return { patternId, created: true, confidence, shared: false };
  });
}

/** The outcome of an answer that followed a pattern: it holds, or it weakens (and fades). */
export async function recordPatternOutcome(patternId: string, success: boolean): Promise<void> {
  await asSystem((tx) => updateRoutingPattern(tx, { id: patternId, successDelta: success ? 1 : 0, failureDelta: success ? 0 : 1 }));
}
