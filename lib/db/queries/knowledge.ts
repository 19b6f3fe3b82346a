import type { Queryable } from "../types";
import { vectorLiteral } from "./vector-literal";

export type KnowledgeSource = "document_ingestion" | "user_feedback" | "interaction_learning";
export type KnowledgeStatus = "active" | "pending" | "rejected" | "merged";

export interface KnowledgeRow {
  id: string;
  topic: string;
  content: string;
  source: KnowledgeSource;
  confidence: number;
  status: KnowledgeStatus;
  document_id: string | null;
  chunk_index: number | null;
  interaction_id: string | null;
  embedding_model: string | null;
  metadata: Record<string, unknown>;
  created_at: Date;
  created_by: string | null;
  /** the user it was learned from and belongs to; null: shared with everyone */
  owner_id: string | null;
}

const COLUMNS = `id, topic, content, source, confidence, status, document_id, chunk_index, interaction_id, embedding_model, metadata, created_at, created_by, owner_id`;


export interface NewChunk {
  topic: string;
  content: string;
  contentHash: string;
  chunkIndex: number;
  embedding: number[];
}

/**
 * A document's chunks in one statement (arrays unnested), all active at once: called inside
 * the short transaction that also marks the document ready, so search never sees half of it.
 */
export async function insertDocumentChunks(
  tx: Queryable,
  { documentId, embeddingModel, chunks, createdBy }: { documentId: string; embeddingModel: string; chunks: NewChunk[]; createdBy: string | null },
): Promise<number> {
  if (chunks.length === 0) return 0;
  const { rows } = await tx.query<{ n: number }>(
    `with ins as (
       insert into knowledge_base (topic, content, source, confidence, content_hash, status, document_id, chunk_index,
         embeddings, embedding_model, created_by)
       select t.topic, t.content, 'document_ingestion', 0.6, t.hash, 'active', $1, t.idx, t.emb::extensions.vector, $2, $3
       from unnest($4::text[], $5::text[], $6::text[], $7::int[], $8::text[]) as t(topic, content, hash, idx, emb)
       returning 1)
     select count(*)::int as n from ins`,
    [
      documentId,
      embeddingModel,
      createdBy,
      chunks.map((c) => c.topic),
      chunks.map((c) => c.content),
      chunks.map((c) => c.contentHash),
      chunks.map((c) => c.chunkIndex),
      chunks.map((c) => vectorLiteral(c.embedding)),
    ],
  );
  return rows[0].n;
}

export async function deleteDocumentChunks(tx: Queryable, { documentId }: { documentId: string }): Promise<void> {
  await tx.query("delete from knowledge_base where document_id = $1", [documentId]);
}

/** Content hashes already in the knowledge base (active), among the given ones. */
export async function existingContentHashes(tx: Queryable, { hashes, exceptDocumentId }: { hashes: string[]; exceptDocumentId?: string }): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const { rows } = await tx.query<{ content_hash: string }>(
    `select distinct content_hash from knowledge_base
     where content_hash = any($1::text[]) and status = 'active' and ($2::uuid is null or document_id is distinct from $2::uuid)`,
    [hashes, exceptDocumentId ?? null],
  );
  return new Set(rows.map((r) => r.content_hash));
}

/** Entries by id, with their cosine similarity to the query when an embedding is given. */
export async function entriesByIds(
  tx: Queryable,
  { ids, embedding, embeddingModel, withEmbeddings = false }: { ids: string[]; embedding?: number[] | null; embeddingModel?: string; /** each row's own embedding by `embeddingModel` too */ withEmbeddings?: boolean },
): Promise<(KnowledgeRow & { similarity: number | null; title: string | null; embedding?: number[] | null })[]> {
  if (ids.length === 0) return [];
  const { rows } = await tx.query<KnowledgeRow & { similarity: number | null; title: string | null; e?: string | null }>(
    `select ${COLUMNS.split(", ").map((c) => `k.${c}`).join(", ")}, d.title,
       case when $2::text is null or k.embeddings is null or k.embedding_model is distinct from $3 then null
            else 1 - (k.embeddings <=> $2::extensions.vector) end as similarity${
              withEmbeddings ? `,
       case when k.embedding_model is distinct from $3 then null else k.embeddings::text end as e` : ""
            }
     from knowledge_base k left join documents d on d.id = k.document_id
     where k.id = any($1::uuid[])`,
    [ids, embedding ? vectorLiteral(embedding) : null, embeddingModel ?? null],
  );
  if (!withEmbeddings) return rows;
  return rows.map(({ e, ...r }) => ({ ...r, embedding: e ? (JSON.parse(e) as number[]) : null }));
}

export async function getEntry(tx: Queryable, { id }: { id: string }): Promise<KnowledgeRow | null> {
  const { rows } = await tx.query<KnowledgeRow>(`select ${COLUMNS} from knowledge_base where id = $1`, [id]);
  return rows[0] ?? null;
}

/**
 * One outcome of answers that used these entries, in one statement: each entry's uses count up
 * by `uses` (1 for a new answer, 0 when an answer already counted changed its reward) and its
 * successes by `successes` (the answer's reward in [0, 1], or its change; kept within
 * [0, uses]), and its confidence becomes the Beta posterior mean from its starting
 * confidence (weight `priorWeight`), clamped to [0.01, 0.99]. The rows are locked in id order
 * (so statements on overlapping entries queue instead of deadlocking) and the update reads
 * them after the lock, so no concurrent outcome is lost; the lock lasts one statement.
 */
export async function addEntryOutcomes(
  tx: Queryable,
  { ids, uses, successes, priorWeight }: { ids: string[]; uses: 0 | 1; successes: number; priorWeight: number },
): Promise<KnowledgeRow[]> {
  const { rows } = await tx.query<KnowledgeRow>(
    `update knowledge_base k set
       metadata = k.metadata || jsonb_build_object('prior', n.prior, 'uses', n.uses, 'successes', n.successes),
       confidence = greatest(0.01, least(0.99, (n.prior * $3 + n.successes) / ($3 + n.uses)))
     from (
       select l.id,
              coalesce((l.metadata ->> 'prior')::float8, l.confidence::float8) as prior,
              coalesce((l.metadata ->> 'uses')::int, 0) + $4::int as uses,
              greatest(0, least(coalesce((l.metadata ->> 'uses')::int, 0) + $4::int, coalesce((l.metadata ->> 'successes')::float8, 0) + $2::float8)) as successes
       from (select id, metadata, confidence from knowledge_base where id = any($1::uuid[]) order by id for update) l
     ) n
     where k.id = n.id
     returning ${COLUMNS.split(",").map((c) => `k.${c.trim()}`).join(", ")}`,
    [[...new Set(ids)], successes, priorWeight, uses],
  );
  return rows;
}

/** Whether any active entry exists (retrieval has something to find). */
export async function anyActiveKnowledge(tx: Queryable): Promise<boolean> {
  const { rows } = await tx.query<{ yes: boolean }>("select exists (select 1 from knowledge_base where status = 'active') as yes");
  return rows[0].yes;
}

export async function insertEntry(
  tx: Queryable,
  e: {
    topic: string;
    content: string;
    source: KnowledgeSource;
    status: KnowledgeStatus;
    confidence: number;
    contentHash: string;
    interactionId?: string | null;
    createdBy?: string | null;
    /** the user it belongs to (learned from their answers); null: shared with everyone */
    ownerId?: string | null;
    embedding?: number[] | null;
    embeddingModel?: string | null;
    metadata?: Record<string, unknown>;
  },
): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `insert into knowledge_base (topic, content, source, status, confidence, content_hash, interaction_id, created_by,
       embeddings, embedding_model, metadata, owner_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::extensions.vector, $10, $11::jsonb, $12) returning id`,
    [
      e.topic,
      e.content,
      e.source,
      e.status,
      e.confidence,
      e.contentHash,
      e.interactionId ?? null,
      e.createdBy ?? null,
      e.embedding ? vectorLiteral(e.embedding) : null,
      e.embedding ? (e.embeddingModel ?? null) : null,
      JSON.stringify(e.metadata ?? {}),
      e.ownerId ?? null,
    ],
  );
  return rows[0].id;
}

export async function findEntryByHash(tx: Queryable, { contentHash, source }: { contentHash: string; source: KnowledgeSource }): Promise<KnowledgeRow | null> {
  const { rows } = await tx.query<KnowledgeRow>(
    `select ${COLUMNS} from knowledge_base where content_hash = $1 and source = $2 and status <> 'rejected' limit 1`,
    [contentHash, source],
  );
  return rows[0] ?? null;
}

/** The closest active learned entry (not document chunks) at or above a similarity. */
export async function nearestLearnedEntry(
  tx: Queryable,
  {
    embedding,
    embeddingModel,
    minSimilarity,
    excludeId,
    ownerId = null,
  }: { embedding: number[]; embeddingModel: string; minSimilarity: number; excludeId?: string; /** the same scope only: this user's entries, or the shared ones (null) */ ownerId?: string | null },
): Promise<(KnowledgeRow & { similarity: number }) | null> {
  const { rows } = await tx.query<KnowledgeRow & { similarity: number }>(
    `select * from (
       select ${COLUMNS}, 1 - (embeddings <=> $1::extensions.vector) as similarity
       from knowledge_base
       where status = 'active' and source in ('user_feedback', 'interaction_learning') and embedding_model = $2
         and ($4::uuid is null or id <> $4::uuid) and embeddings is not null and owner_id is not distinct from $5::text
       order by embeddings <=> $1::extensions.vector limit 1) n
     where similarity >= $3`,
    [vectorLiteral(embedding), embeddingModel, minSimilarity, excludeId ?? null, ownerId],
  );
  return rows[0] ?? null;
}

export async function updateEntry(
  tx: Queryable,
  { id, status, confidence, metadata, embedding, embeddingModel, share }: {
    id: string;
    status?: KnowledgeStatus;
    /** true: shared with everyone from now on (owner_id cleared) */
    share?: boolean;
    confidence?: number;
    metadata?: Record<string, unknown>;
    embedding?: number[];
    embeddingModel?: string;
  },
): Promise<KnowledgeRow | null> {
  const { rows } = await tx.query<KnowledgeRow>(
    `update knowledge_base set
       status = coalesce($2, status),
       confidence = coalesce($3, confidence),
       metadata = case when $4::jsonb is null then metadata else metadata || $4::jsonb end,
       embeddings = coalesce($5::extensions.vector, embeddings),
       embedding_model = coalesce($6, embedding_model),
       owner_id = case when $7::boolean then null else owner_id end
     where id = $1 returning ${COLUMNS}`,
    [id, status ?? null, confidence ?? null, metadata ? JSON.stringify(metadata) : null, embedding ? vectorLiteral(embedding) : null, embedding ? (embeddingModel ?? null) : null, share === true],
  );
  return rows[0] ?? null;
}

/** What waits for an operator: corrections (pending) and answers learned from one user, private to them until shared. */
export async function entriesForReview(tx: Queryable, { limit = 100 }: { limit?: number } = {}): Promise<KnowledgeRow[]> {
  const { rows } = await tx.query<KnowledgeRow>(
    `select ${COLUMNS} from knowledge_base
     where status = 'pending' or (status = 'active' and owner_id is not null)
     order by created_at desc limit $1`,
    [limit],
  );
  return rows;
}

export async function knowledgeCounts(tx: Queryable): Promise<{ source: string; status: string; n: number }[]> {
  const { rows } = await tx.query<{ source: string; status: string; n: number }>(
    "select source, status, count(*)::int as n from knowledge_base group by source, status order by source, status",
  );
  return rows;
}
