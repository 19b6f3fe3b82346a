/**
 * Requests' embeddings still being written after their answers ended (lib/orchestrator/chat.ts
 * writes each after the answer, behind what a waiting request needs), by interaction id:
 * feedback given the moment an answer ends ("this model would have been better", the next
 * message's verdict) waits for its request's embedding instead of finding none.
 */
const g = globalThis as unknown as { __elitePendingEmbeddings?: Map<string, Promise<void>> };
const pending = (g.__elitePendingEmbeddings ??= new Map());

/** Notes the write of interaction `id`'s embedding until it settles; returns it. */
export function trackEmbeddingWrite(id: string, write: Promise<void>): Promise<void> {
  pending.set(id, write);
  void write.finally(() => {
    if (pending.get(id) === write) pending.delete(id);
  });
  return write;
}

/** Resolves once interaction `id`'s embedding, if this process is writing it, is written. */
export function embeddingWritten(id: string): Promise<void> {
  return pending.get(id) ?? Promise.resolve();
}
