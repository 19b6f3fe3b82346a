"use client";
import { useCallback, useEffect, useState } from "react";
import { deleteDocument, pendingEntries, reindexDocument } from "@/app/(ops)/knowledge/actions";
import type { DocumentView, PendingEntryView } from "@/lib/knowledge/views";
import { UploadZone } from "./upload-zone";
import { DocumentList } from "./document-list";
import { SearchPreview } from "./search-preview";
import { PendingReview } from "./pending-review";

const inProgress = (d: DocumentView) => d.status !== "ready" && d.status !== "failed";

/** The Knowledge page: upload, documents with live progress (from the database, so a reload keeps it), search preview, review. */
export function KnowledgeApp({ initialDocuments, initialPending }: { initialDocuments: DocumentView[]; initialPending: PendingEntryView[] }) {
  const [documents, setDocuments] = useState(initialDocuments);
  const [pending, setPending] = useState(initialPending);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  const refresh = useCallback(async () => {
    const res = await fetch("/api/knowledge/documents", { cache: "no-store" }).catch(() => null);
    if (res?.ok) setDocuments(((await res.json()) as { documents: DocumentView[] }).documents);
  }, []);

  // Poll while anything is being indexed (or right after an upload).
  const active = documents.some(inProgress);
  useEffect(() => {
    if (!active && tick === 0) return;
    const t = setInterval(() => void refresh().then(() => setTick((n) => Math.max(0, n - 1))), 800);
    return () => clearInterval(t);
  }, [active, tick, refresh]);

  async function act(d: DocumentView, fn: (i: { id: string }) => Promise<{ ok: boolean; error?: string }>) {
    setBusy(d.id);
    const r = await fn({ id: d.id });
    setBusy(null);
    setError(r.ok ? null : (r.error ?? "Failed."));
    await refresh();
    setTick(3);
  }

  return (
    <div className="space-y-6">
      <section aria-labelledby="kb-upload">
        <h2 id="kb-upload" className="mb-2 text-lg font-semibold">Upload</h2>
        <UploadZone onUploaded={() => void refresh().then(() => setTick(3))} />
      </section>
      <section aria-labelledby="kb-docs">
        <h2 id="kb-docs" className="mb-2 text-lg font-semibold">Documents</h2>
        {error && <p role="alert" className="mb-2 text-sm text-red-700 dark:text-red-400">{error}</p>}
        <DocumentList
          documents={documents}
          busy={busy}
          onReindex={(d) => void act(d, reindexDocument)}
          onDelete={(d) => {
            if (window.confirm(`Delete “${d.title}” and its ${d.chunkCount} chunks?`)) void act(d, deleteDocument);
          }}
        />
      </section>
      <section aria-labelledby="kb-search">
        <h2 id="kb-search" className="mb-2 text-lg font-semibold">Search preview</h2>
        <SearchPreview />
      </section>
      <section aria-labelledby="kb-review">
        <h2 id="kb-review" className="mb-2 text-lg font-semibold">Corrections to review</h2>
        <PendingReview
          entries={pending}
          onChange={async () => {
            const r = await pendingEntries();
            if (r.ok) setPending(r.entries);
          }}
        />
      </section>
    </div>
  );
}
