import "server-only";
import { asSystem } from "@/lib/db";
import { recentRequestEmbeddings } from "@/lib/db/queries/pattern-members";
import { embeddingInput } from "@/lib/domain";
import { getOllamaPool } from "@/lib/ollama";
import { CALIBRATION_REQUESTS } from "./calibration-texts";
import { scaleFrom, withReferences, type SimilarityScale } from "./similarity-scale";

/**
 * The similarity scale of the configured embedding model (lib/learning/similarity-scale.ts):
 * pairs among its embeddings of the reference requests (embedded once per model and process)
 * and of the most recent recorded requests (re-read every few minutes as requests arrive).
 */
const RECORDED = 300;
const TTL_MS = 5 * 60_000;

const fixed = new Map<string, Promise<number[][]>>();
const scales = new Map<string, { at: number; scale: Promise<SimilarityScale> }>();

/**
 * The model's embeddings of a fixed list of texts the app ships (reference requests, example
 * follow-ups), as queries: embedded once per model and process, again after a failure.
 */
export function fixedEmbeddings(model: string, name: string, texts: readonly string[]): Promise<number[][]> {
  const key = `${model}\u0000${name}`;
  let p = fixed.get(key);
  if (!p) {
    p = getOllamaPool()
      .embed({ model, input: texts.map((t) => embeddingInput(model, "query", t)) })
      .then((r) => r.embeddings);
    p.catch(() => fixed.delete(key)); // retried on the next request
    fixed.set(key, p);
  }
  return p;
}

async function build(model: string): Promise<SimilarityScale> {
  const [refs, recorded] = await Promise.all([
    fixedEmbeddings(model, "calibration", CALIBRATION_REQUESTS),
    asSystem((tx) => recentRequestEmbeddings(tx, { embeddingModel: model, limit: RECORDED })),
  ]);
  // Recorded requests widen the background; only the reference requests, unrelated by design,
  // say what is unrelated to one request (recorded ones may be its own kind, many times over).
  return withReferences(scaleFrom([...refs, ...recorded]), refs);
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
  fixed.clear();
}
