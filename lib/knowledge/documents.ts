import "server-only";
import type { Identity } from "@/lib/auth";
import { withUser } from "@/lib/db";
import { deleteDocument, findDocumentByHash, getDocument, insertDocument, listDocuments, setDocumentState, type DocumentRow } from "@/lib/db/queries/documents";
import { cancelQueuedJobs, insertJob, latestDocumentJobs } from "@/lib/db/queries/jobs";
import { AppError } from "@/lib/errors";
import { enqueueJob } from "@/lib/jobs/worker";
import { checkUpload, titleFromFilename } from "./parse";
import { sha256 } from "./ingest";

export interface UploadFile {
  name: string;
  type?: string;
  bytes: Uint8Array;
}

export type UploadOutcome =
  | { filename: string; ok: true; documentId: string; title: string }
  | { filename: string; ok: false; reason: string; duplicateOf?: string };

/**
 * Accepts each file as a document with a queued ingestion job, or refuses it with its
 * reason; every file gets an outcome (none is silently dropped). Runs as the operator (RLS).
 */
export async function uploadDocuments(identity: Identity, files: UploadFile[]): Promise<UploadOutcome[]> {
  if (!identity.isOperator) throw new AppError("forbidden:knowledge", "Only operators can upload documents.");
  const out: UploadOutcome[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const filename = f.name || "unnamed";
    const check = checkUpload({ name: filename, bytes: f.bytes, type: f.type });
    if (!check.ok) {
      out.push({ filename, ok: false, reason: check.reason });
      continue;
    }
    const hash = sha256(f.bytes);
    if (seen.has(hash)) {
      out.push({ filename, ok: false, reason: `Same content as ${seen.get(hash)} in this upload; kept once.`, duplicateOf: seen.get(hash) });
      continue;
    }
    seen.set(hash, filename);
    try {
      const res = await withUser(identity.claims, async (tx) => {
        const existing = await findDocumentByHash(tx, { contentHash: hash });
        if (existing) return { dup: existing };
        const doc = await insertDocument(tx, {
          title: titleFromFilename(filename),
          filename,
          mimeType: check.mimeType,
          bytes: f.bytes,
          contentHash: hash,
          metadata: { kind: check.kind, language: check.language },
        });
        await insertJob(tx, { kind: "ingest_document", payload: { documentId: doc.id }, createdBy: identity.userId });
        return { doc };
      });
      if ("dup" in res && res.dup) out.push({ filename, ok: false, reason: `Already uploaded as “${res.dup.title}” (same content).`, duplicateOf: res.dup.id });
      else if ("doc" in res && res.doc) out.push({ filename, ok: true, documentId: res.doc.id, title: res.doc.title });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      out.push({ filename, ok: false, reason: /duplicate key|unique/i.test(msg) ? "Already uploaded (same content)." : `Could not be stored: ${msg}` });
    }
  }
  if (out.some((o) => o.ok)) wakeWorker();
  return out;
}

function wakeWorker() {
  (globalThis as unknown as { __eliteJobWorker?: { wake(): void } }).__eliteJobWorker?.wake();
}

/** Queues the document for ingestion again (a failed one, or after a model change). */
export async function reindexDocument(identity: Identity, id: string): Promise<void> {
  await withUser(identity.claims, async (tx) => {
    const doc = await getDocument(tx, { id });
    if (!doc) throw new AppError("not_found:knowledge", "That document does not exist.");
    if (!["ready", "failed"].includes(doc.status)) throw new AppError("conflict:knowledge", `“${doc.title}” is being indexed already (${doc.status}).`);
    await setDocumentState(tx, { id, status: "queued", progress: 0, error: null });
    await insertJob(tx, { kind: "ingest_document", payload: { documentId: id }, createdBy: identity.userId });
  });
  wakeWorker();
}

/** Deletes the document and its chunks (cascade); its queued ingestion is cancelled. */
export async function removeDocument(identity: Identity, id: string): Promise<void> {
  await withUser(identity.claims, async (tx) => {
    await cancelQueuedJobs(tx, { kind: "ingest_document", payloadMatch: { documentId: id } });
    if (!(await deleteDocument(tx, { id }))) throw new AppError("not_found:knowledge", "That document does not exist (or you may not delete it).");
  });
}

export interface DocumentView {
  id: string;
  title: string;
  filename: string;
  mimeType: string;
  kind: string;
  sizeBytes: number;
  status: DocumentRow["status"];
  progress: number;
  stage: string | null;
  error: string | null;
  chunkCount: number;
  skippedDuplicates: number;
  embeddingModel: string | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
}

/** The documents with their ingestion progress, as the upload page polls them. */
export async function documentViews(identity: Identity): Promise<DocumentView[]> {
  return withUser(identity.claims, async (tx) => {
    const docs = await listDocuments(tx);
    const jobs = new Map((await latestDocumentJobs(tx, { documentIds: docs.map((d) => d.id) })).map((j) => [String(j.payload.documentId), j]));
    return docs.map((d) => {
      const j = jobs.get(d.id);
      return {
        id: d.id,
        title: d.title,
        filename: d.filename,
        mimeType: d.mime_type,
        kind: String(d.metadata.kind ?? "text"),
        sizeBytes: d.size_bytes,
        status: d.status,
        progress: Number(d.progress),
        stage: j?.status === "running" ? j.stage : null,
        error: d.error,
        chunkCount: d.chunk_count,
        skippedDuplicates: Number(d.metadata.skippedDuplicates ?? 0),
        embeddingModel: d.embedding_model,
        attempts: j?.attempts ?? 0,
        createdAt: new Date(d.created_at).toISOString(),
        updatedAt: new Date(d.updated_at).toISOString(),
      };
    });
  });
}

export { enqueueJob };
