import type { Queryable } from "../types";

export type DocumentStatus = "queued" | "parsing" | "chunking" | "embedding" | "indexing" | "ready" | "failed";

export interface DocumentRow {
  id: string;
  title: string;
  filename: string;
  mime_type: string;
  size_bytes: number;
  content_hash: string;
  status: DocumentStatus;
  progress: number;
  error: string | null;
  chunk_count: number;
  embedding_model: string | null;
  uploaded_by: string;
  created_at: Date;
  updated_at: Date;
  metadata: { kind?: string; language?: string | null; skippedDuplicates?: number; attempts?: number; [k: string]: unknown };
}

const COLUMNS = `id, title, filename, mime_type, size_bytes, content_hash, status, progress, error, chunk_count,
  embedding_model, uploaded_by, created_at, updated_at, metadata`;

/** Runs under the uploader's RLS session (operators only may insert). */
export async function insertDocument(
  tx: Queryable,
  d: { title: string; filename: string; mimeType: string; bytes: Uint8Array; contentHash: string; metadata: Record<string, unknown> },
): Promise<DocumentRow> {
  const { rows } = await tx.query<DocumentRow>(
    `insert into documents (title, filename, mime_type, size_bytes, content_hash, content, metadata)
     values ($1, $2, $3, $4, $5, $6, $7::jsonb) returning ${COLUMNS}`,
    [d.title, d.filename, d.mimeType, d.bytes.length, d.contentHash, d.bytes, JSON.stringify(d.metadata)],
  );
  return rows[0];
}

export async function findDocumentByHash(tx: Queryable, { contentHash }: { contentHash: string }): Promise<DocumentRow | null> {
  const { rows } = await tx.query<DocumentRow>(`select ${COLUMNS} from documents where content_hash = $1`, [contentHash]);
  return rows[0] ?? null;
}

export async function getDocument(tx: Queryable, { id }: { id: string }): Promise<DocumentRow | null> {
  const { rows } = await tx.query<DocumentRow>(`select ${COLUMNS} from documents where id = $1`, [id]);
  return rows[0] ?? null;
}

export async function getDocumentContent(tx: Queryable, { id }: { id: string }): Promise<Uint8Array | null> {
  const { rows } = await tx.query<{ content: Uint8Array | null }>("select content from documents where id = $1", [id]);
  const c = rows[0]?.content;
  return c ? new Uint8Array(c) : null;
}

export async function listDocuments(tx: Queryable, { limit = 200 }: { limit?: number } = {}): Promise<DocumentRow[]> {
  const { rows } = await tx.query<DocumentRow>(`select ${COLUMNS} from documents order by created_at desc, id limit $1`, [limit]);
  return rows;
}

export async function setDocumentState(
  tx: Queryable,
  s: { id: string; status: DocumentStatus; progress: number; error?: string | null; chunkCount?: number; embeddingModel?: string | null; metadata?: Record<string, unknown> },
): Promise<void> {
  await tx.query(
    `update documents set status = $2, progress = $3, error = $4,
       chunk_count = coalesce($5, chunk_count), embedding_model = coalesce($6, embedding_model),
       metadata = case when $7::jsonb is null then metadata else metadata || $7::jsonb end
     where id = $1`,
    [s.id, s.status, Math.max(0, Math.min(1, s.progress)), s.error ?? null, s.chunkCount ?? null, s.embeddingModel ?? null, s.metadata ? JSON.stringify(s.metadata) : null],
  );
}

export async function deleteDocument(tx: Queryable, { id }: { id: string }): Promise<boolean> {
  const { rows } = await tx.query("delete from documents where id = $1 returning id", [id]);
  return rows.length === 1;
}

/** Documents whose chunks were embedded by another model than the current one. */
export async function documentsEmbeddedWithOther(tx: Queryable, { model }: { model: string }): Promise<{ id: string }[]> {
  const { rows } = await tx.query<{ id: string }>(
    "select id from documents where status = 'ready' and embedding_model is distinct from $1",
    [model],
  );
  return rows;
}
