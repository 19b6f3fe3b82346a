import "server-only";
import { searchKnowledge } from "@/lib/knowledge/search";
import { knowledgeToRetrieve } from "@/lib/knowledge/presence";
import { GROUNDING_MAX_CHUNKS, GROUNDING_MIN_TEXT_RANK, type GroundingChunk } from "@/lib/knowledge/grounding";
import { similarityScale } from "@/lib/learning/similarity-calibration";
import { judgeChunk } from "./grounding-relevance";

/** How much of a request (with a follow-up, the request before it too) the knowledge search reads. */
export const KNOWLEDGE_QUERY_CHARS = 4000;

/**
 * The knowledge relevant to a request, best first, among what its user may read (shared
 * entries and their own); [] when none is (or retrieval fails). Relevant is judged against
 * the embedding model's own background (lib/orchestrator/grounding-relevance.ts).
 */
export async function retrieveKnowledge(prompt: string, embedding: number[] | null, embeddingModel: string, userId: string): Promise<GroundingChunk[]> {
  if (!embedding) return []; // grounding needs the roster's embedding model to work
  try {
    if (!(await knowledgeToRetrieve())) return [];
    const [scale, r] = await Promise.all([
      similarityScale(embeddingModel),
      searchKnowledge({
        query: prompt.slice(0, KNOWLEDGE_QUERY_CHARS),
        embedding,
        embeddingModel,
        limit: GROUNDING_MAX_CHUNKS * 2,
        // Every candidate is judged below, by closeness that means the same under any model.
        minSimilarity: -1,
        minTextRank: GROUNDING_MIN_TEXT_RANK,
        filters: { viewerId: userId },
        withEmbeddings: true,
      }),
    ]);
    const references = scale.references ?? [];
    return r.hits.flatMap((h) => {
      const { closeness, grounds } = judgeChunk(h, references, GROUNDING_MIN_TEXT_RANK);
      return grounds ? [{ id: h.id, topic: h.topic, content: h.content, score: h.score, documentTitle: h.documentTitle, closeness: closeness ?? undefined }] : [];
    });
  } catch (e) {
    console.error("knowledge retrieval failed; answering without it", e);
    return [];
  }
}
