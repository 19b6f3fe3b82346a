"use client";
import { useMemo, useState } from "react";
import type { AdaptationsView } from "@/lib/learning/view";
import { diffConfigs } from "@/lib/learning/proposals";
import { rollbackAction } from "@/app/(ops)/adaptations/actions";
import { ConfigDiff } from "./config-diff";
import type { Act } from "./act";
import { actorLabel } from "./actor-label";

type Version = AdaptationsView["versions"][number];

export function VersionTimeline({ versions, act, pending, viewerId }: { versions: Version[]; act: Act; pending: boolean; viewerId: string }) {
  const [a, setA] = useState<string>("");
  const [b, setB] = useState<string>("");
  const [reason, setReason] = useState("");
  const from = versions.find((v) => v.id === a) ?? versions[1] ?? versions[0];
  const to = versions.find((v) => v.id === b) ?? versions[0];
  const diff = useMemo(() => (from && to ? diffConfigs(from.config, to.config) : []), [from, to]);
  return (
    <section aria-labelledby="versions-h" className="space-y-3">
      <h2 id="versions-h" className="text-lg font-medium">Configuration versions</h2>
      <label className="block text-xs text-zinc-500">
        Reason for a rollback{" "}
        <input data-testid="rollback-reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="e.g. answers got worse" className="w-64 rounded border border-zinc-300 bg-transparent px-2 py-1 text-zinc-900 dark:border-zinc-700 dark:text-zinc-100" />
      </label>
      <ol className="space-y-1 text-sm" data-testid="version-timeline">
        {versions.map((v) => (
          <li key={v.id} data-testid="version" data-version={v.version} className="flex flex-wrap items-center gap-2 border-l-2 border-zinc-300 pl-3 dark:border-zinc-700">
            <span className="font-mono">v{v.version}</span>
            {v.labels.map((l) => <span key={l} data-testid={`label-${l}`} className={`rounded px-1.5 text-xs ${l === "production" ? "bg-green-100 text-green-800" : "bg-blue-100 text-blue-800"}`}>{l}</span>)}
            <span className="text-zinc-600 dark:text-zinc-400">{v.summary}</span>
            <span className="text-xs text-zinc-500">{new Date(v.createdAt).toLocaleString()} · {actorLabel(v.createdBy, viewerId)}</span>
            {!v.labels.includes("production") && (
              <button type="button" data-testid="rollback" disabled={pending} onClick={() => act(() => rollbackAction({ versionId: v.id, reason }))} className="rounded border border-zinc-300 px-2 text-xs disabled:opacity-50 dark:border-zinc-700">
                Roll back to this
              </button>
            )}
          </li>
        ))}
      </ol>
      {versions.length > 1 && (
        <div className="space-y-2">
          <div className="flex items-center gap-2 text-xs">
            Diff
            <select data-testid="diff-from" value={from?.id} onChange={(e) => setA(e.target.value)} className="rounded border border-zinc-300 bg-transparent dark:border-zinc-700">
              {versions.map((v) => <option key={v.id} value={v.id}>v{v.version}</option>)}
            </select>
            →
            <select data-testid="diff-to" value={to?.id} onChange={(e) => setB(e.target.value)} className="rounded border border-zinc-300 bg-transparent dark:border-zinc-700">
              {versions.map((v) => <option key={v.id} value={v.id}>v{v.version}</option>)}
            </select>
          </div>
          <ConfigDiff entries={diff} testId="version-diff" />
        </div>
      )}
    </section>
  );
}
