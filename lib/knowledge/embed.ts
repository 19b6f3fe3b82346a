import "server-only";
import { getOllamaPool } from "@/lib/ollama";
import { AppError } from "@/lib/errors";
import { embeddingInput, type EmbeddingTask } from "@/lib/domain";

/** The size of knowledge_base.embeddings (vector(768), nomic-embed-text's size). */
export const KB_DIMENSIONS = 768;

/**
 * Embeds texts with the roster's embedding model through the pool, in batches, and refuses a
 * model whose vectors do not fit the knowledge base's column (never a silent mix of sizes).
 * `task` says what the texts are for (nomic's task prefixes; lib/domain/embedding-task.ts).
 */
export async function embedTexts(
  model: string,
  task: EmbeddingTask,
  texts: string[],
  opts: { batchSize?: number; signal?: AbortSignal; onBatch?: (done: number, total: number) => Promise<void> | void } = {},
): Promise<number[][]> {
  const size = Math.max(1, opts.batchSize ?? 32);
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += size) {
    const batch = texts.slice(i, i + size).map((t) => embeddingInput(model, task, t.slice(0, 8000)));
    const res = await getOllamaPool().embed({ model, input: batch, batchSize: size, signal: opts.signal });
    checkDimensions(model, res.dimensions);
    for (const v of res.embeddings) checkDimensions(model, v.length);
    out.push(...res.embeddings);
    await opts.onBatch?.(Math.min(texts.length, i + size), texts.length);
  }
  return out;
}

export function checkDimensions(model: string, dims: number): void {
  if (dims !== KB_DIMENSIONS) {
    throw new AppError(
      "bad_request:knowledge",
      `The embedding model ${model} returns ${dims}-dimensional vectors, but the knowledge base stores ${KB_DIMENSIONS} dimensions. ` +
        `Choose a ${KB_DIMENSIONS}-dimensional embedding model (e.g. nomic-embed-text) on Settings; mixed sizes are refused.`,
    );
  }
}
