"use client";
import { useRef, useState } from "react";
import type { UploadOutcome } from "@/lib/knowledge/views";

const MAX_BYTES = 10 * 1024 * 1024;
const ACCEPT = ".md,.markdown,.txt,.pdf,.html,.htm,.json,.jsonl,.csv,.tsv,.ts,.tsx,.js,.jsx,.py,.go,.rs,.java,.c,.h,.cpp,.cs,.rb,.php,.sh,.sql,.yaml,.yml,.toml,.css,.xml";

export interface UploadRow {
  key: string;
  filename: string;
  state: "uploading" | "accepted" | "refused";
  reason?: string;
  documentId?: string;
}

/** Drag and drop (or pick) several files; each is sent on its own so one bad file never sinks the others. */
export function UploadZone({ onUploaded }: { onUploaded: () => void }) {
  const [rows, setRows] = useState<UploadRow[]>([]);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const update = (key: string, patch: Partial<UploadRow>) => setRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  async function send(files: File[]) {
    const batch = files.map((f, i) => ({ file: f, key: `${Date.now()}-${i}-${f.name}` }));
    setRows((rs) => [...batch.map(({ file, key }) => ({ key, filename: file.name, state: "uploading" as const })), ...rs].slice(0, 50));
    await Promise.all(
      batch.map(async ({ file, key }) => {
        if (file.size > MAX_BYTES) {
          update(key, { state: "refused", reason: `The file is ${(file.size / 1024 / 1024).toFixed(1)} MB; the limit is 10 MB.` });
          return;
        }
        try {
          const form = new FormData();
          form.append("files", file, file.name);
          const res = await fetch("/api/knowledge/upload", { method: "POST", body: form });
          const body = (await res.json().catch(() => null)) as { results?: UploadOutcome[]; error?: { message: string } } | null;
          const r = body?.results?.[0];
          if (!res.ok || !r) update(key, { state: "refused", reason: body?.error?.message ?? `Upload failed (HTTP ${res.status}).` });
          else if (r.ok) update(key, { state: "accepted", documentId: r.documentId });
          else update(key, { state: "refused", reason: r.reason });
        } catch (e) {
          update(key, { state: "refused", reason: `Upload failed: ${e instanceof Error ? e.message : String(e)}` });
        }
      }),
    );
    onUploaded();
  }

  return (
    <div>
      <div
        data-testid="dropzone"
        role="button"
        tabIndex={0}
        onClick={() => input.current?.click()}
        onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && input.current?.click()}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          const files = [...e.dataTransfer.files];
          if (files.length) void send(files);
        }}
        className={`flex cursor-pointer flex-col items-center justify-center rounded-lg border-2 border-dashed p-6 text-sm ${over ? "border-sky-500 bg-sky-50 dark:bg-sky-950" : "border-zinc-300 dark:border-zinc-700"}`}
      >
        <p className="font-medium">Drop files here, or click to choose</p>
        <p className="text-xs text-zinc-500">Markdown, text, code, PDF, HTML, JSON, CSV · up to 10 MB each</p>
        <input
          ref={input}
          data-testid="file-input"
          type="file"
          multiple
          accept={ACCEPT}
          className="hidden"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = "";
            if (files.length) void send(files);
          }}
        />
      </div>
      {rows.length > 0 && (
        <ul className="mt-2 space-y-1 text-sm" data-testid="upload-results">
          {rows.map((r) => (
            <li key={r.key} data-testid="upload-result" data-state={r.state} data-filename={r.filename} className="flex gap-2">
              <span className="font-mono">{r.filename}</span>
              {r.state === "uploading" && <span className="text-zinc-500">uploading…</span>}
              {r.state === "accepted" && <span className="text-green-700 dark:text-green-400">accepted, indexing below</span>}
              {r.state === "refused" && (
                <span role="alert" className="text-red-700 dark:text-red-400" data-testid="upload-refused">
                  refused: {r.reason}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
