"use client";
import type { DocumentView } from "@/lib/knowledge/views";

const STAGES = ["parsing", "chunking", "embedding", "indexing"] as const;

function StageTrail({ doc }: { doc: DocumentView }) {
  const at = STAGES.indexOf(doc.status as (typeof STAGES)[number]);
  return (
    <span className="flex gap-1 text-[11px]">
      {STAGES.map((s, i) => {
        const done = doc.status === "ready" || (at >= 0 && i < at);
        const now = i === at;
        return (
          <span key={s} className={done ? "text-green-700 dark:text-green-400" : now ? "font-semibold text-sky-700 dark:text-sky-300" : "text-zinc-400"}>
            {s === "parsing" ? "parse" : s === "chunking" ? "chunk" : s === "embedding" ? "embed" : "index"}
            {i < STAGES.length - 1 ? " →" : ""}
          </span>
        );
      })}
    </span>
  );
}

export function DocumentList({
  documents,
  busy,
  onDelete,
  onReindex,
}: {
  documents: DocumentView[];
  busy: string | null;
  onDelete: (d: DocumentView) => void;
  onReindex: (d: DocumentView) => void;
}) {
  if (documents.length === 0) return <p className="text-sm text-zinc-500" data-testid="documents-empty">No documents yet.</p>;
  return (
    <table className="w-full text-left text-sm" data-testid="documents">
      <thead className="text-xs text-zinc-500">
        <tr>
          <th className="py-1">Document</th>
          <th>Status</th>
          <th className="text-right">Chunks</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {documents.map((d) => (
          <tr key={d.id} data-testid="document-row" data-title={d.title} data-status={d.status} className="border-t border-zinc-200 align-top dark:border-zinc-800">
            <td className="py-2 pr-2">
              <div className="font-medium">{d.title}</div>
              <div className="text-xs text-zinc-500">
                {d.kind} · {(d.sizeBytes / 1024).toFixed(1)} KB{d.embeddingModel ? ` · ${d.embeddingModel}` : ""}
              </div>
            </td>
            <td className="py-2 pr-2">
              <div className="flex items-center gap-2">
                <span data-testid="document-status" className={d.status === "failed" ? "text-red-700 dark:text-red-400" : d.status === "ready" ? "text-green-700 dark:text-green-400" : ""}>
                  {d.status}
                </span>
                {d.status !== "ready" && d.status !== "failed" && (
                  <progress max={1} value={d.progress} className="h-2 w-24" aria-label={`${d.title} progress`} data-testid="document-progress" />
                )}
              </div>
              <StageTrail doc={d} />
              {d.stage && <div className="text-xs text-zinc-500">{d.stage}</div>}
              {d.error && (
                <div role="alert" data-testid="document-error" className="text-xs text-red-700 dark:text-red-400">
                  {d.error}
                </div>
              )}
            </td>
            <td className="py-2 pr-2 text-right" data-testid="document-chunks">
              {d.chunkCount}
              {d.skippedDuplicates > 0 && <div className="text-xs text-zinc-500">{d.skippedDuplicates} duplicate{d.skippedDuplicates > 1 ? "s" : ""} skipped</div>}
            </td>
            <td className="py-2 text-right whitespace-nowrap">
              <button type="button" data-testid="document-reindex" disabled={busy === d.id || !["ready", "failed"].includes(d.status)} onClick={() => onReindex(d)}
                className="mr-1 rounded border border-zinc-300 px-2 py-0.5 text-xs disabled:opacity-40 dark:border-zinc-700">
                {d.status === "failed" ? "Retry" : "Re-index"}
              </button>
              <button type="button" data-testid="document-delete" disabled={busy === d.id} onClick={() => onDelete(d)}
                className="rounded border border-red-300 px-2 py-0.5 text-xs text-red-700 disabled:opacity-40 dark:border-red-900 dark:text-red-400">
                Delete
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
