import "server-only";
import { asSystem, asSystemStatement, withUser, type Claims, type Queryable } from "@/lib/db";
import { entriesByIds, type KnowledgeSource } from "@/lib/db/queries/knowledge";
import { textCandidates, vectorCandidates, vectorScanSettings, type SearchFilters } from "@/lib/db/queries/knowledge-search";
import { currentRoster } from "@/lib/roster/current";
import { KB_DIMENSIONS, embedTexts } from "./embed";
import { reciprocalRankFusion } from "./rrf";

/** Below this cosine similarity a vector hit is not relevant (unless full text vouches for it). */
export const MIN_SIMILARITY = 0.3;
/** A full-text hit alone is relevant from this normalised ts_rank_cd (rank / (rank + 1)). */
export const MIN_TEXT_RANK = 0.15;

export interface SearchHit {
  id: string;
  topic: string;
  content: string;
  source: KnowledgeSource;
  confidence: number;
  documentId: string | null;
  documentTitle: string | null;
  chunkIndex: number | null;
  /** Fused score (RRF scaled to 0..1, weighted by the entry's confidence; 1 = first in both lists at full confidence): the ranking. */
  score: number;
  rrf: number;
  similarity: number | null;
  textRank: number | null;
  vectorPos: number | null;
  textPos: number | null;
  /** the entry's embedding (only when asked for: `withEmbeddings`) */
  embedding?: number[];
}

export interface SearchResult {
  hits: SearchHit[];
  mode: "hybrid" | "text";
  /** Why the vector half was not used, when it was not. */
  warning?: string;
  /** Where the time went (ms): the query's embedding, then each part of the database search. */
  timings: SearchTimings;
}

export interface SearchTimings {
  embedMs: number;
  vectorMs: number;
  textMs: number;
  fuseMs: number;
  fetchMs: number;
  /** From the start of the database work to the result (vector + text + fusion + fetch + transaction). */
  searchMs: number;
}

/** The query's words OR-ed for to_tsquery (the english configuration drops stop words). */
export function toTsQuery(query: string): string {
  const words = [...new Set((query.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).filter((w) => w.length >= 2 && w.length <= 64))];
  return words.slice(0, 32).join(" | ");
}

/** Confidence moves the fused score by at most ±20% (0.5 is neutral). */
export const confidenceWeight = (c: number) => 0.8 + 0.4 * Math.max(0, Math.min(1, c));

/**
 * Hybrid search: the HNSW cosine neighbours and the full-text matches, fused by reciprocal
 * rank fusion, weighted by confidence, cut at a relevance threshold. Without a usable
 * embedding (model down, wrong size) it falls back to full text and says so.
 */
export async function searchKnowledge(opts: {
  query: string;
  embedding?: number[] | null;
  embeddingModel?: string;
  filters?: SearchFilters;
  limit?: number;
  candidates?: number;
  minSimilarity?: number;
  minTextRank?: number;
  /** Whose RLS session runs the search; omitted = the system (the orchestrator). */
  claims?: Claims | null;
  /** Each hit's own embedding too (to judge its relevance against the embedding model's background). */
  withEmbeddings?: boolean;
}): Promise<SearchResult> {
  const limit = opts.limit ?? 8;
  const candidates = Math.max(limit, opts.candidates ?? 40);
  const minSimilarity = opts.minSimilarity ?? MIN_SIMILARITY;
  const minTextRank = opts.minTextRank ?? MIN_TEXT_RANK;
  const filters = opts.filters ?? {};
  let embedding = opts.embedding ?? null;
  let model = opts.embeddingModel ?? "";
  let warning: string | undefined;
  const timings: SearchTimings = { embedMs: 0, vectorMs: 0, textMs: 0, fuseMs: 0, fetchMs: 0, searchMs: 0 };
  let t0 = performance.now();
  if (!embedding && opts.query.trim()) {
    model = model || (await currentRoster()).embedding;
    try {
      embedding = (await embedTexts(model, "query", [opts.query]))[0];
    } catch (e) {
      warning = `Vector search is off: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  if (embedding && embedding.length !== KB_DIMENSIONS) {
    warning = `Vector search is off: the query embedding has ${embedding.length} dimensions, the knowledge base ${KB_DIMENSIONS}.`;
    embedding = null;
  }
  const tsquery = toTsQuery(opts.query);
  timings.embedMs = performance.now() - t0;
  const searchStart = performance.now();

  // Relevant: close in meaning, or a strong full-text match that is not far off in meaning.
  const isRelevant = (similarity: number | null, textRank: number | null) =>
    (similarity !== null && similarity >= minSimilarity) ||
    (textRank !== null && textRank >= minTextRank && (similarity === null || similarity >= minSimilarity / 2));

  // `read` runs one read: in the search's transaction, or (the system path, when the vector
  // read needs no settings of its own) as a statement by itself, the two candidate reads at
  // once: two round trips in all, and no connection held between them.
  const run = async (read: <T>(fn: (q: Queryable) => Promise<T>) => Promise<T>, together: boolean) => {
    const timed = async <T>(key: "vectorMs" | "textMs", fn: (q: Queryable) => Promise<T>): Promise<T> => {
      const start = performance.now();
      const out = await read(fn);
      timings[key] = performance.now() - start;
      return out;
    };
    const vectorRead = () => (embedding ? timed("vectorMs", (q) => vectorCandidates(q, { embedding: embedding!, embeddingModel: model, limit: candidates, filters })) : Promise.resolve([]));
    const textRead = () => timed("textMs", (q) => textCandidates(q, { tsquery, limit: candidates, filters, embedding, embeddingModel: model }));
    // In a transaction one after the other (one connection); alone, at once.
    const [vec, txt] = together ? await Promise.all([vectorRead(), textRead()]) : [await vectorRead(), await textRead()];
    t0 = performance.now();
    // Fusion, relevance and the confidence-weighted score need only what the two candidate
    // queries returned (similarity, rank, confidence), so only the winners' rows are read.
    const fused = reciprocalRankFusion([vec.map((v) => v.id), txt.map((t) => t.id)]);
    const vecById = new Map(vec.map((v) => [v.id, v]));
    const txtById = new Map(txt.map((t) => [t.id, t]));
    const ranked = [];
    for (const f of fused) {
      const v = vecById.get(f.id);
      const t = txtById.get(f.id);
      const sim = v ? v.similarity : (t?.similarity ?? null);
      const similarity = sim === null ? null : Number(sim);
      const textRank = t ? Number(t.rank) : null;
      if (!isRelevant(similarity, textRank)) continue;
      const confidence = Number((v ?? t)!.confidence);
      ranked.push({ f, similarity, textRank, score: (f.score * confidenceWeight(confidence)) / confidenceWeight(1) });
    }
    ranked.sort((a, b) => b.score - a.score || a.f.id.localeCompare(b.f.id));
    const top = ranked.slice(0, limit);
    timings.fuseMs = performance.now() - t0;
    t0 = performance.now();
    const rows = await read((q) => entriesByIds(q, { ids: top.map((x) => x.f.id), embeddingModel: model, withEmbeddings: opts.withEmbeddings && Boolean(embedding) }));
    timings.fetchMs = performance.now() - t0;
    return { top, rows };
  };
  const alone = opts.claims === undefined && !(embedding && vectorScanSettings(candidates, filters));
  const { top, rows } = alone
    ? await run(asSystemStatement, true)
    : opts.claims === undefined
      ? await asSystem((tx) => run((fn) => fn(tx), false))
      : await withUser(opts.claims, (tx) => run((fn) => fn(tx), false));

  const rowById = new Map(rows.map((r) => [r.id, r]));
  const hits: SearchHit[] = [];
  for (const { f, similarity, textRank, score } of top) {
    const r = rowById.get(f.id);
    if (!r) continue;
    hits.push({
      id: r.id,
      topic: r.topic,
      content: r.content,
      source: r.source,
      confidence: Number(r.confidence),
      documentId: r.document_id,
      documentTitle: r.title,
      chunkIndex: r.chunk_index,
      score,
      rrf: f.rrf,
      similarity,
      textRank,
      vectorPos: f.ranks[0],
      textPos: f.ranks[1],
      ...(r.embedding ? { embedding: r.embedding } : {}),
    });
  }
  hits.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  timings.searchMs = performance.now() - searchStart;
  return { hits: hits.slice(0, limit), mode: embedding ? "hybrid" : "text", warning, timings };
}
