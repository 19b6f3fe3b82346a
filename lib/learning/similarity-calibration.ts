import "server-only";
import { asSystem } from "@/lib/db";
import { recentRequestEmbeddings } from "@/lib/db/queries/pattern-members";
import { embeddingInput } from "@/lib/domain";
import { getOllamaPool } from "@/lib/ollama";
import { CALIBRATION_REQUESTS } from "./calibration-texts";
import { scaleFrom, type SimilarityScale } from "./similarity-scale";

/**
 * The similarity scale of the configured embedding model (lib/learning/similarity-scale.ts):
 * pairs among its embeddings of the reference requests (embedded once per model and process)
 * and of the most recent recorded requests (re-read every few minutes as requests arrive).
 */
const RECORDED = 300;
const TTL_MS = 5 * 60_000;

const references = new Map<string, Promise<number[][]>>();
const scales = new Map<string, { at: number; scale: Promise<SimilarityScale> }>();

function referenceEmbeddings(model: string): Promise<number[][]> {
  let p = references.get(model);
  if (!p) {
    p = getOllamaPool()
      .embed({ model, input: CALIBRATION_REQUESTS.map((t) => embeddingInput(model, "query", t)) })
      .then((r) => r.embeddings);
    p.catch(() => references.delete(model)); // retried on the next request
    references.set(model, p);
  }
  return p;
}

async function build(model: string): Promise<SimilarityScale> {
  const [refs, recorded] = await Promise.all([referenceEmbeddings(model), asSystem((tx) => recentRequestEmbeddings(tx, { embeddingModel: model, limit: RECORDED }))]);
  return scaleFrom([...refs, ...recorded]);
}

/** The scale for `model`; rejects when the model cannot embed the reference requests. */
export function similarityScale(model: string, now = Date.now()): Promise<SimilarityScale> {
  const hit = scales.get(model);
  if (hit && now - hit.at < TTL_MS) return hit.scale;
  const scale = build(model);
  scales.set(model, { at: now, scale });
  scale.catch(() => scales.delete(model));
  return scale;
}

/** Forget cached scales (tests that change the roster or the recorded requests). */
export function resetSimilarityScales(): void {
  scales.clear();
  references.clear();
}
