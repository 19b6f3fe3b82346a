import type { Queryable } from "../types";

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
}

const COLUMNS = `id, topic, content, source, confidence, status, document_id, chunk_index, interaction_id, embedding_model, metadata, created_at, created_by`;

export const vectorLiteral = (v: number[]) => `[${v.join(",")}]`;

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

export interface SearchFilters {
  sources?: KnowledgeSource[];
  /** Case-insensitive substring of the topic. */
  topic?: string;
}

const filterSql = (first: number) =>
  `k.status = 'active' and ($${first}::text[] is null or k.source = any($${first}::text[]))
   and ($${first + 1}::text is null or k.topic ilike '%' || $${first + 1} || '%')`;

const filterParams = (f: SearchFilters) => [f.sources?.length ? f.sources : null, f.topic?.trim() ? f.topic.trim().replace(/[\\%_]/g, (c) => `\\${c}`) : null];

/**
 * Nearest active entries by cosine distance (the HNSW index), embedded with the same model.
 * The filters are applied to the index scan's output; with a source or topic filter the scan
 * goes on (pgvector's iterative scan, `hnsw.iterative_scan`) until enough rows pass, instead
 * of returning fewer than `limit` when the first ef_search neighbours are filtered out.
 */
export async function vectorCandidates(
  tx: Queryable,
  { embedding, embeddingModel, limit, filters }: { embedding: number[]; embeddingModel: string; limit: number; filters: SearchFilters },
): Promise<{ id: string; similarity: number; confidence: number }[]> {
  const [sources, topic] = filterParams(filters);
  const efSearch = Math.min(1000, Math.max(40, limit));
  // `set local` lasts until the end of the caller's transaction (search always runs in one).
  await tx.exec(
    `set local hnsw.ef_search = ${efSearch}` +
      (sources !== null || topic !== null ? "; set local hnsw.iterative_scan = relaxed_order; set local hnsw.max_scan_tuples = 20000" : ""),
  );
  const { rows } = await tx.query<{ id: string; similarity: number; confidence: number }>(
    `select id, 1 - d as similarity, confidence from (
       select id, confidence, embeddings <=> $1::extensions.vector as d
       from knowledge_base k
       where embeddings is not null and embedding_model = $2 and ${filterSql(4)}
       order by embeddings <=> $1::extensions.vector
       limit $3) n
     order by d, id`,
    [vectorLiteral(embedding), embeddingModel, limit, sources, topic],
  );
  return rows;
}

/**
 * Full-text matches, best ts_rank_cd first (topic weighted; the query's words OR-ed, as
 * `to_tsquery` text "a | b | c"). Ranking every match is what gets slow when a common word
 * matches much of the corpus, so the ranked set is bounded and aimed at the informative
 * words: first up to 200 entries containing one of the query's rarer lexemes (not among the
 * column's most common elements above 2% of rows, from the planner's statistics; GIN finds
 * them through short posting lists), and only when those are fewer than `limit`, up to 200
 * more entries matching any of the words. On a small or unanalysed table every word counts as rare.
 * With an embedding, each returned match also carries its cosine similarity to it (null when
 * embedded by another model or not at all), computed for the `limit` returned rows only.
 */
export async function textCandidates(
  tx: Queryable,
  { tsquery, limit, filters, embedding, embeddingModel }: { tsquery: string; limit: number; filters: SearchFilters; embedding?: number[] | null; embeddingModel?: string },
): Promise<{ id: string; rank: number; confidence: number; similarity: number | null }[]> {
  if (!tsquery) return [];
  const common = await commonLexemes(tx);
  const { rows } = await tx.query<{ id: string; rank: number; confidence: number; similarity: number | null }>(
    `with q as (
       select to_tsquery('english', $1) as any_q,
         (select string_agg(quote_literal(l.lexeme), ' | ')
          from unnest(tsvector_to_array(to_tsvector('english', replace($1, '|', ' ')))) as l(lexeme)
          where not (l.lexeme = any($7::text[])))::tsquery as rare_q),
     strong as (
       select k.id, k.fts from knowledge_base k, q
       where q.rare_q is not null and k.fts @@ q.rare_q and ${filterSql(3)}
       limit 200),
     weak as (
       select k.id, k.fts from knowledge_base k, q
       where (select count(*) from strong) < $2 and k.fts @@ q.any_q and ${filterSql(3)}
         and k.id not in (select id from strong)
       limit 200)
     select r.id, r.rank, k.confidence,
       case when $5::text is null or k.embeddings is null or k.embedding_model is distinct from $6 then null
            else 1 - (k.embeddings <=> $5::extensions.vector) end as similarity
     from (select m.id, ts_rank_cd(m.fts, q.any_q, 32) as rank
           from (select * from strong union all select * from weak) m, q
           order by rank desc, m.id
           limit $2) r
     join knowledge_base k on k.id = r.id
     order by r.rank desc, r.id`,
    [tsquery, limit, ...filterParams(filters), embedding ? vectorLiteral(embedding) : null, embeddingModel ?? null, common],
  );
  return rows;
}

/** Lexemes in more than this share of entries do not single out a match. */
const COMMON_LEXEME_FREQ = 0.02;
const COMMON_TTL_MS = 60_000;
let commonCache: { at: number; lexemes: string[] } | null = null;

/**
 * The full-text column's common lexemes, from the planner's statistics (pg_stats, refreshed
 * by (auto)analyze), cached for a minute: they only steer which matches get ranked.
 */
async function commonLexemes(tx: Queryable): Promise<string[]> {
  if (commonCache && performance.now() - commonCache.at < COMMON_TTL_MS) return commonCache.lexemes;
  const { rows } = await tx.query<{ lexemes: string[] | null }>(
    `select array_agg(e.lexeme) as lexemes
     from pg_stats s, unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) as e(lexeme, freq)
     where s.schemaname = 'public' and s.tablename = 'knowledge_base' and s.attname = 'fts' and e.freq > $1`,
    [COMMON_LEXEME_FREQ],
  );
  commonCache = { at: performance.now(), lexemes: rows[0]?.lexemes ?? [] };
  return commonCache.lexemes;
}

/** Entries by id, with their cosine similarity to the query when an embedding is given. */
export async function entriesByIds(
  tx: Queryable,
  { ids, embedding, embeddingModel }: { ids: string[]; embedding?: number[] | null; embeddingModel?: string },
): Promise<(KnowledgeRow & { similarity: number | null; title: string | null })[]> {
  if (ids.length === 0) return [];
  const { rows } = await tx.query<KnowledgeRow & { similarity: number | null; title: string | null }>(
    `select ${COLUMNS.split(", ").map((c) => `k.${c}`).join(", ")}, d.title,
       case when $2::text is null or k.embeddings is null or k.embedding_model is distinct from $3 then null
            else 1 - (k.embeddings <=> $2::extensions.vector) end as similarity
     from knowledge_base k left join documents d on d.id = k.document_id
     where k.id = any($1::uuid[])`,
    [ids, embedding ? vectorLiteral(embedding) : null, embeddingModel ?? null],
  );
  return rows;
}

export async function getEntry(tx: Queryable, { id }: { id: string }): Promise<KnowledgeRow | null> {
  const { rows } = await tx.query<KnowledgeRow>(`select ${COLUMNS} from knowledge_base where id = $1`, [id]);
  return rows[0] ?? null;
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
    embedding?: number[] | null;
    embeddingModel?: string | null;
    metadata?: Record<string, unknown>;
  },
): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `insert into knowledge_base (topic, content, source, status, confidence, content_hash, interaction_id, created_by,
       embeddings, embedding_model, metadata)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::extensions.vector, $10, $11::jsonb) returning id`,
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
  { embedding, embeddingModel, minSimilarity, excludeId }: { embedding: number[]; embeddingModel: string; minSimilarity: number; excludeId?: string },
): Promise<(KnowledgeRow & { similarity: number }) | null> {
  const { rows } = await tx.query<KnowledgeRow & { similarity: number }>(
    `select * from (
       select ${COLUMNS}, 1 - (embeddings <=> $1::extensions.vector) as similarity
       from knowledge_base
       where status = 'active' and source in ('user_feedback', 'interaction_learning') and embedding_model = $2
         and ($4::uuid is null or id <> $4::uuid) and embeddings is not null
       order by embeddings <=> $1::extensions.vector limit 1) n
     where similarity >= $3`,
    [vectorLiteral(embedding), embeddingModel, minSimilarity, excludeId ?? null],
  );
  return rows[0] ?? null;
}

export async function updateEntry(
  tx: Queryable,
  { id, status, confidence, metadata, embedding, embeddingModel }: {
    id: string;
    status?: KnowledgeStatus;
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
       embedding_model = coalesce($6, embedding_model)
     where id = $1 returning ${COLUMNS}`,
    [id, status ?? null, confidence ?? null, metadata ? JSON.stringify(metadata) : null, embedding ? vectorLiteral(embedding) : null, embedding ? (embeddingModel ?? null) : null],
  );
  return rows[0] ?? null;
}

export async function listEntries(
  tx: Queryable,
  { status, sources, limit = 100 }: { status?: KnowledgeStatus; sources?: KnowledgeSource[]; limit?: number },
): Promise<KnowledgeRow[]> {
  const { rows } = await tx.query<KnowledgeRow>(
    `select ${COLUMNS} from knowledge_base
     where ($1::text is null or status = $1) and ($2::text[] is null or source = any($2::text[]))
     order by created_at desc limit $3`,
    [status ?? null, sources?.length ? sources : null, limit],
  );
  return rows;
}

export async function knowledgeCounts(tx: Queryable): Promise<{ source: string; status: string; n: number }[]> {
  const { rows } = await tx.query<{ source: string; status: string; n: number }>(
    "select source, status, count(*)::int as n from knowledge_base group by source, status order by source, status",
  );
  return rows;
}
