import "server-only";
import { asSystem } from "@/lib/db";
import { recentRequestEmbeddings } from "@/lib/db/queries/pattern-members";
import { embeddingInput } from "@/lib/domain";
import { getOllamaPool } from "@/lib/ollama";
import { CALIBRATION_REQUESTS } from "./calibration-texts";
import { scaleFrom, withReferences, type SimilarityScale } from "./similarity-scale";
import { refreshing, type Refreshing } from "@/lib/refreshing";

/**
 * The similarity scale of the configured embedding model (lib/learning/similarity-scale.ts):
 * pairs among its embeddings of the reference requests (embedded once per model and process)
 * and of the most recent recorded requests (re-read every few minutes as requests arrive).
 */
const RECORDED = 300;
const TTL_MS = 5 * 60_000;

const fixed = new Map<string, Promise<number[][]>>();
const scales = new Map<string, Refreshing<SimilarityScale>>();
/** Where the scales are kept: in this module (a test's fresh database builds its own). */
const held: Record<string, unknown> = {};

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

/**
 * The scale for `model`; rejects when the model cannot embed the reference requests. Older
 * than TTL_MS, the scale in memory still answers at once while one rebuild runs in the
 * background (lib/refreshing.ts): a routed request never waits for it after the first.
 */
export function similarityScale(model: string): Promise<SimilarityScale> {
  let scale = scales.get(model);
  if (!scale) scales.set(model, (scale = refreshing(model, () => build(model), { freshMs: TTL_MS, holder: held })));
  return scale.get();
}

/** Forget cached scales (tests that change the roster or the recorded requests). */
export function resetSimilarityScales(): void {
  for (const scale of scales.values()) scale.forget();
  scales.clear();
  fixed.clear();
}
