/** Hybrid search candidates over the knowledge base: nearest by vector (pgvector HNSW) and best by full text, each filtered by source and topic. */
import type { Queryable } from "../types";

import type { KnowledgeSource } from "./knowledge";
import { vectorLiteral } from "./vector-literal";
import { DEFAULT_EF_SEARCH, efSearchFor } from "./vector-index";

export interface SearchFilters {
  sources?: KnowledgeSource[];
  /** Case-insensitive substring of the topic. */
  topic?: string;
  /**
   * Whose request it is: entries learned from another user's answers are left out (the
   * system path has no RLS to do it). Undefined: no owner filter (operators' searches run
   * under RLS, which decides).
   */
  viewerId?: string | null;
}

const filterSql = (first: number) =>
  `k.status = 'active' and ($${first}::text[] is null or k.source = any($${first}::text[]))
   and ($${first + 1}::text is null or k.topic ilike '%' || $${first + 1} || '%')
   and ($${first + 2}::boolean is false or k.owner_id is null or k.owner_id = $${first + 3}::text)`;

const filterParams = (f: SearchFilters) => [
  f.sources?.length ? f.sources : null,
  f.topic?.trim() ? f.topic.trim().replace(/[\\%_]/g, (c) => `\\${c}`) : null,
  f.viewerId !== undefined,
  f.viewerId ?? null,
];

/**
 * The planner settings the vector read needs beyond the database's defaults, as `set local`
 * statements, or null when the defaults do (pgvector's ef_search of 40 covers up to 40
 * candidates, and without a source or topic filter no iterative scan is needed): then the
 * read needs no transaction of its own.
 */
export function vectorScanSettings(limit: number, filters: SearchFilters): string | null {
  const [sources, topic] = filterParams(filters);
  const iterative = sources !== null || topic !== null;
  const ef = efSearchFor(limit);
  if (ef === DEFAULT_EF_SEARCH && !iterative) return null;
  return `set local hnsw.ef_search = ${ef}` + (iterative ? "; set local hnsw.iterative_scan = relaxed_order; set local hnsw.max_scan_tuples = 20000" : "");
}

/**
 * Nearest active entries by cosine distance (the HNSW index), embedded with the same model.
 * The filters are applied to the index scan's output; with a source or topic filter the scan
 * goes on (pgvector's iterative scan, `hnsw.iterative_scan`) until enough rows pass, instead
 * of returning fewer than `limit` when the first ef_search neighbours are filtered out.
 * Runs in a transaction when {@link vectorScanSettings} says settings are needed (`set local`
 * lasts until the transaction ends).
 */
export async function vectorCandidates(
  tx: Queryable,
  { embedding, embeddingModel, limit, filters }: { embedding: number[]; embeddingModel: string; limit: number; filters: SearchFilters },
): Promise<{ id: string; similarity: number; confidence: number }[]> {
  const settings = vectorScanSettings(limit, filters);
  if (settings) await tx.exec(settings);
  const { rows } = await tx.query<{ id: string; similarity: number; confidence: number }>(
    `select id, 1 - d as similarity, confidence from (
       select id, confidence, embeddings <=> $1::extensions.vector as d
       from knowledge_base k
       where embeddings is not null and embedding_model = $2 and ${filterSql(4)}
       order by embeddings <=> $1::extensions.vector
       limit $3) n
     order by d, id`,
    [vectorLiteral(embedding), embeddingModel, limit, ...filterParams(filters)],
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
          where not (l.lexeme = any($5::text[])))::tsquery as rare_q),
     strong as (
       select k.id, k.fts from knowledge_base k, q
       where q.rare_q is not null and k.fts @@ q.rare_q and ${filterSql(6)}
       limit 200),
     weak as (
       select k.id, k.fts from knowledge_base k, q
       where (select count(*) from strong) < $2 and k.fts @@ q.any_q and ${filterSql(6)}
         and k.id not in (select id from strong)
       limit 200)
     select r.id, r.rank, k.confidence,
       case when $3::text is null or k.embeddings is null or k.embedding_model is distinct from $4 then null
            else 1 - (k.embeddings <=> $3::extensions.vector) end as similarity
     from (select m.id, ts_rank_cd(m.fts, q.any_q, 32) as rank
           from (select * from strong union all select * from weak) m, q
           order by rank desc, m.id
           limit $2) r
     join knowledge_base k on k.id = r.id
     order by r.rank desc, r.id`,
    [tsquery, limit, embedding ? vectorLiteral(embedding) : null, embeddingModel ?? null, common, ...filterParams(filters)],
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
