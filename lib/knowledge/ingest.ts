import "server-only";
import { createHash } from "node:crypto";
import { asSystem } from "@/lib/db";
import { getDocument, getDocumentContent, setDocumentState } from "@/lib/db/queries/documents";
import { deleteDocumentChunks, existingContentHashes, insertDocumentChunks, type NewChunk } from "@/lib/db/queries/knowledge";
import { currentRoster } from "@/lib/roster/current";
import { isOllamaError } from "@/lib/ollama";
import { AppError } from "@/lib/errors";
import { PermanentJobError, retryDelayMs, type JobContext } from "@/lib/jobs/worker";
import { chunkText } from "./chunk";
import { extractText, ParseError, type DocKind } from "./parse";
import { embedTexts } from "./embed";

export const sha256 = (s: string | Uint8Array) => createHash("sha256").update(s).digest("hex");

/** Same text up to whitespace and case: the same chunk. */
export const chunkHash = (content: string) => sha256(content.replace(/\s+/g, " ").trim().toLowerCase());

/** What the embedding step sees: the heading path gives a chunk its context. */
export const chunkEmbeddingText = (c: { topic: string; content: string }) => `${c.topic}\n\n${c.content}`;

export interface IngestResult {
  chunks: number;
  skippedDuplicates: number;
  embeddingModel: string;
}

/**
 * parse → chunk → embed → index for one document. Progress goes to the document row (what
 * the upload page polls) and the job. Every step is a short transaction of its own; the
 * chunks become searchable all at once, in the one transaction that also marks the document
 * ready (and replaces the chunks of an earlier indexing), so search never sees half of it.
 */
export async function ingestDocument(ctx: Pick<JobContext, "progress"> & { documentId: string; batchSize?: number }): Promise<IngestResult> {
  const { documentId } = ctx;
  const step = async (status: "parsing" | "chunking" | "embedding" | "indexing", progress: number) => {
    await asSystem((tx) => setDocumentState(tx, { id: documentId, status, progress, error: null }));
    await ctx.progress(progress, status);
  };

  const loaded = await asSystem(async (tx) => ({ doc: await getDocument(tx, { id: documentId }), bytes: await getDocumentContent(tx, { id: documentId }) }));
  if (!loaded.doc) throw new PermanentJobError("The document was deleted before it could be indexed.");
  if (!loaded.bytes) throw new PermanentJobError("The document has no stored content; upload it again.");
  const doc = loaded.doc;

  await step("parsing", 0.05);
  let text: string;
  try {
    text = await extractText({ kind: (doc.metadata.kind ?? "text") as DocKind, bytes: loaded.bytes, language: doc.metadata.language ?? null, filename: doc.filename });
  } catch (e) {
    if (e instanceof ParseError) throw new PermanentJobError(e.message);
    throw e;
  }

  await step("chunking", 0.15);
  const all = chunkText(text, doc.title);
  if (all.length === 0) throw new PermanentJobError("The document has no text to index.");
  // Duplicates: the same chunk twice in this document, or already indexed from another one.
  const seen = new Set<string>();
  const unique = all.filter((c) => {
    const h = chunkHash(c.content);
    if (seen.has(h)) return false;
    seen.add(h);
    return true;
  });
  const elsewhere = await asSystem((tx) => existingContentHashes(tx, { hashes: [...seen], exceptDocumentId: documentId }));
  const chunks = unique.filter((c) => !elsewhere.has(chunkHash(c.content)));
  const skippedDuplicates = all.length - chunks.length;

  await step("embedding", 0.2);
  const roster = await currentRoster();
  const model = roster.embedding;
  let vectors: number[][];
  try {
    vectors = await embedTexts(model, "document", chunks.map(chunkEmbeddingText), {
      batchSize: ctx.batchSize ?? 32,
      onBatch: async (done, total) => {
        const p = 0.2 + 0.7 * (done / total);
        await asSystem((tx) => setDocumentState(tx, { id: documentId, status: "embedding", progress: p, error: null }));
        await ctx.progress(p, `embedding ${done}/${total}`);
      },
    });
  } catch (e) {
    if (e instanceof AppError && e.code === "bad_request:knowledge") throw new PermanentJobError(e.message);
    const why = isOllamaError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
    throw new Error(`Embedding with ${model} failed (${why}).`);
  }

  await step("indexing", 0.95);
  const rows: NewChunk[] = chunks.map((c, i) => ({ topic: c.topic.slice(0, 500), content: c.content, contentHash: chunkHash(c.content), chunkIndex: c.index, embedding: vectors[i] }));
  const inserted = await asSystem(async (tx) => {
    const still = await tx.query("select id from documents where id = $1 for update", [documentId]);
    if (still.rows.length === 0) return null; // deleted meanwhile: nothing to index
    await deleteDocumentChunks(tx, { documentId });
    const n = await insertDocumentChunks(tx, { documentId, embeddingModel: model, chunks: rows, createdBy: doc.uploaded_by });
    await setDocumentState(tx, { id: documentId, status: "ready", progress: 1, error: null, chunkCount: n, embeddingModel: model, metadata: { skippedDuplicates } });
    return n;
  });
  if (inserted === null) throw new PermanentJobError("The document was deleted while it was being indexed.");
  return { chunks: inserted, skippedDuplicates, embeddingModel: model };
}

/** After a failed attempt: the document says why, and whether it is retried. */
export async function markIngestFailure({ documentId, error, final, attempts }: { documentId: string; error: string; final: boolean; attempts: number }): Promise<void> {
  await asSystem((tx) =>
    setDocumentState(tx, {
      id: documentId,
      status: final ? "failed" : "queued",
      progress: 0,
      error: final ? error : `Attempt ${attempts} failed: ${error} Retrying in ${Math.round(retryDelayMs(attempts) / 1000)} s.`,
      metadata: { attempts },
    }),
  );
}
