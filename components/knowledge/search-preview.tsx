"use client";
import { useState } from "react";
import { previewSearch } from "@/app/(ops)/knowledge/actions";
import { describeCloseness, type SearchHitView } from "@/lib/knowledge/views";
import { UNRELATED_NEARER, UNRELATED_NEARER_WITH_WORDS } from "@/lib/orchestrator/grounding-relevance";

const SOURCES = [
  { value: "document_ingestion", label: "documents" },
  { value: "user_feedback", label: "corrections" },
  { value: "interaction_learning", label: "rated answers" },
] as const;

/** What retrieval returns for a query, with the fused score and its parts. */
export function SearchPreview() {
  const [query, setQuery] = useState("");
  const [topic, setTopic] = useState("");
  const [sources, setSources] = useState<(typeof SOURCES)[number]["value"][]>([]);
  const [hits, setHits] = useState<SearchHitView[] | null>(null);
  /** the query the hits are for */
  const [searched, setSearched] = useState("");
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    const r = await previewSearch({ query, topic: topic || undefined, sources: sources.length ? sources : undefined });
    setBusy(false);
    if (!r.ok) {
      setNote(r.error);
      setHits(null);
      return;
    }
    setHits(r.hits);
    setSearched(query);
    setNote(r.warning ?? (r.mode === "text" ? "Full-text only." : null));
  }

  return (
    <div>
      <form onSubmit={run} className="flex flex-wrap items-center gap-2 text-sm">
        <input data-testid="search-query" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="What would a user ask?"
          className="min-w-64 flex-1 rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" />
        <input data-testid="search-topic" value={topic} onChange={(e) => setTopic(e.target.value)} placeholder="topic contains…"
          className="w-40 rounded border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900" />
        {SOURCES.map((s) => (
          <label key={s.value} className="flex items-center gap-1 text-xs">
            <input type="checkbox" checked={sources.includes(s.value)}
              onChange={(e) => setSources((cur) => (e.target.checked ? [...cur, s.value] : cur.filter((x) => x !== s.value)))} />
            {s.label}
          </label>
        ))}
        <button type="submit" data-testid="search-submit" disabled={busy || !query.trim()} className="rounded bg-sky-600 px-3 py-1 text-white disabled:opacity-50">
          Search
        </button>
      </form>
      {note && <p className="mt-2 text-xs text-amber-700 dark:text-amber-400" data-testid="search-note">{note}</p>}
      {hits && (
        <ol className="mt-3 space-y-2" data-testid="search-results" data-query={searched}>
          {hits.length === 0 && <li className="text-sm text-zinc-500">Nothing relevant (below the relevance threshold).</li>}
          {hits.map((h) => (
            <li key={h.id} data-testid="search-hit" className="rounded border border-zinc-200 p-2 text-sm dark:border-zinc-800">
              <div className="flex flex-wrap items-baseline gap-2">
                <span className="font-medium">{h.topic}</span>
                <span data-testid="search-score" className="rounded bg-sky-100 px-1.5 text-xs text-sky-900 dark:bg-sky-900 dark:text-sky-100">
                  score {h.score.toFixed(3)}
                </span>
                <span
                  data-testid="search-grounds"
                  data-grounds={h.grounds}
                  title={
                    h.closeness === null
                      ? "Not judged: the embedding model did not answer."
                      : `Nearer this entry than ${Math.round(h.closeness * 100)}% of a set of unrelated requests are. A prompt gets it from ${Math.round((1 - UNRELATED_NEARER) * 100)}% (from ${Math.round((1 - UNRELATED_NEARER_WITH_WORDS) * 100)}% with a strong full-text match).`
                  }
                  className={`rounded px-1.5 text-xs ${h.grounds ? "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100" : "bg-zinc-100 text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300"}`}
                >
                  {h.grounds ? "goes into a prompt" : "too far for a prompt"}
                  {h.closeness !== null && ` · ${describeCloseness(h.closeness)}`}
                </span>
                <span className="text-xs text-zinc-500">
                  cosine {h.similarity === null ? "—" : h.similarity.toFixed(3)} · text {h.textRank === null ? "—" : h.textRank.toFixed(3)} · confidence {h.confidence.toFixed(2)} · {h.source}
                </span>
              </div>
              <p className="mt-1 whitespace-pre-wrap text-xs text-zinc-600 dark:text-zinc-400">{h.excerpt}</p>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
