"use client";
import { useState } from "react";
import type { AdaptationsView } from "@/lib/learning/view";
import { approveAction, rejectAction, startAbAction } from "@/app/(ops)/adaptations/actions";
import { ConfigDiff } from "./config-diff";
import type { Act } from "./act";

type Proposal = AdaptationsView["proposals"][number];
const STATUSES = ["all", "proposed", "testing", "approved", "promoted", "rejected", "rolled_back"] as const;
const KINDS = ["all", "system_prompt", "parameters", "routing_rule", "fallback_order", "knowledge_entry"] as const;

const pct = (x: unknown) => (typeof x === "number" ? `${Math.round(x * 100)}%` : "—");

export function ProposalList({ proposals, act, pending, experimentRunning }: { proposals: Proposal[]; act: Act; pending: boolean; experimentRunning: boolean }) {
  const [status, setStatus] = useState<string>("proposed");
  const [kind, setKind] = useState<string>("all");
  const [risk, setRisk] = useState<string>("all");
  const shown = proposals.filter((p) => (status === "all" || p.status === status) && (kind === "all" || p.kind === kind) && (risk === "all" || p.risk === risk));
  return (
    <section aria-labelledby="proposals-h" className="space-y-3">
      <div className="flex flex-wrap items-end gap-3">
        <h2 id="proposals-h" className="text-lg font-medium">Proposals</h2>
        <Filter label="Status" value={status} onChange={setStatus} options={STATUSES} testId="filter-status" />
        <Filter label="Kind" value={kind} onChange={setKind} options={KINDS} testId="filter-kind" />
        <Filter label="Risk" value={risk} onChange={setRisk} options={["all", "low", "medium", "high"]} testId="filter-risk" />
      </div>
      {shown.length === 0 && <p className="text-sm text-zinc-500" data-testid="no-proposals">No proposals match. Run an analysis to look for new ones.</p>}
      <ul className="space-y-3">
        {shown.map((p) => (
          <ProposalCard key={p.id} p={p} act={act} pending={pending} experimentRunning={experimentRunning} />
        ))}
      </ul>
    </section>
  );
}

function Filter({ label, value, onChange, options, testId }: { label: string; value: string; onChange: (v: string) => void; options: readonly string[]; testId: string }) {
  return (
    <label className="text-xs text-zinc-500">
      {label}{" "}
      <select data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)} className="rounded border border-zinc-300 bg-transparent px-1 py-0.5 dark:border-zinc-700">
        {options.map((o) => <option key={o} value={o}>{o.replace(/_/g, " ")}</option>)}
      </select>
    </label>
  );
}

function ProposalCard({ p, act, pending, experimentRunning }: { p: Proposal; act: Act; pending: boolean; experimentRunning: boolean }) {
  const [reason, setReason] = useState("");
  const [split, setSplit] = useState("0.5");
  const [minSamples, setMinSamples] = useState("");
  const ev = p.evidence as {
    count?: number;
    users?: number;
    examples?: string[];
    effectSize?: { difference: number; interval: { lower: number; upper: number }; pBetter?: number; of?: string };
    answers?: number;
    feedback?: { id: string; text: string }[];
    rationale?: { summary: string; risks: string; by: string };
  };
  const ex = p.expected as { metric?: string; from?: number; toward?: number; text?: string };
  return (
    <li data-testid="proposal" data-status={p.status} data-kind={p.kind} className="space-y-2 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
      <div className="flex flex-wrap items-center gap-2">
        <span className="rounded bg-zinc-100 px-1.5 text-xs dark:bg-zinc-800">{p.kind.replace(/_/g, " ")}</span>
        <span data-testid="proposal-status" className="rounded bg-blue-50 px-1.5 text-xs text-blue-800 dark:bg-blue-950 dark:text-blue-200">{p.status.replace(/_/g, " ")}</span>
        <span className={`rounded px-1.5 text-xs ${p.risk === "low" ? "bg-green-50 text-green-800" : p.risk === "high" ? "bg-red-50 text-red-800" : "bg-amber-50 text-amber-800"}`}>{p.risk} risk</span>
        <h3 className="font-medium" data-testid="proposal-title">{p.title}</h3>
      </div>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">{p.description}</p>
      <dl className="grid grid-cols-[9rem_1fr] gap-y-1 text-xs" data-testid="proposal-evidence">
        <dt className="text-zinc-500">Evidence</dt>
        <dd>
          {ev.count ?? "—"} supporting interactions{ev.answers ? ` of ${ev.answers}` : ""}
          {ev.users ? `, from ${ev.users} user${ev.users === 1 ? "" : "s"}` : ""}
        </dd>
        {ev.feedback && ev.feedback.length > 0 && (
          <>
            <dt className="text-zinc-500">What users said</dt>
            <dd data-testid="proposal-feedback">
              <ul className="list-disc pl-4">
                {ev.feedback.filter((f) => f.text).slice(0, 6).map((f) => <li key={f.id}>“{f.text}”</li>)}
              </ul>
            </dd>
          </>
        )}
        {ev.rationale && (
          <>
            <dt className="text-zinc-500">Rationale</dt>
            <dd data-testid="proposal-rationale">
              {ev.rationale.summary} <span className="text-zinc-500">Risk: {ev.rationale.risks} (written by {ev.rationale.by}; the numbers above decide)</span>
            </dd>
          </>
        )}
        {ev.effectSize && (
          <>
            <dt className="text-zinc-500">Effect size</dt>
            <dd>
              {ev.effectSize.difference >= 0 ? "+" : ""}{(ev.effectSize.difference * 100).toFixed(1)} points, 95% interval [{(ev.effectSize.interval.lower * 100).toFixed(1)}, {(ev.effectSize.interval.upper * 100).toFixed(1)}]
              {ev.effectSize.of ? ` (${ev.effectSize.of})` : ""}
            </dd>
          </>
        )}
        <dt className="text-zinc-500">Expected effect</dt>
        <dd>{ex.text ?? ex.metric}{ex.from !== undefined && ex.from !== null ? `: ${pct(ex.from)} → ${pct(ex.toward)}` : ""}</dd>
        {ev.examples && ev.examples.length > 0 && (
          <>
            <dt className="text-zinc-500">Examples</dt>
            <dd className="font-mono">{ev.examples.map((id) => <span key={id} className="mr-2" title={id}>{id.slice(0, 8)}</span>)}</dd>
          </>
        )}
        {p.reason && (
          <>
            <dt className="text-zinc-500">Decision</dt>
            <dd data-testid="proposal-reason">{p.reason}</dd>
          </>
        )}
      </dl>
      {p.diff.length > 0 && p.status === "proposed" && (
        <details open>
          <summary className="cursor-pointer text-xs text-zinc-500">Change against production</summary>
          <ConfigDiff entries={p.diff} testId="proposal-diff" />
        </details>
      )}
      {p.status === "proposed" && (
        <div className="flex flex-wrap items-center gap-2 text-xs">
          <input aria-label="Reason" data-testid="decision-reason" value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Reason (needed to reject)" className="w-56 rounded border border-zinc-300 bg-transparent px-2 py-1 dark:border-zinc-700" />
          <button type="button" data-testid="approve" disabled={pending || experimentRunning} title={experimentRunning ? "Finish the running experiment first" : undefined} onClick={() => act(() => approveAction({ id: p.id, reason: reason || undefined }))} className="rounded bg-green-700 px-2 py-1 text-white disabled:opacity-50">Approve</button>
          <button type="button" data-testid="reject" disabled={pending} onClick={() => act(() => rejectAction({ id: p.id, reason }))} className="rounded bg-red-700 px-2 py-1 text-white disabled:opacity-50">Reject</button>
          <label>Split <input aria-label="Traffic to the variant" data-testid="ab-split" value={split} onChange={(e) => setSplit(e.target.value)} className="w-12 rounded border border-zinc-300 bg-transparent px-1 dark:border-zinc-700" /></label>
          <label>Min samples <input aria-label="Minimum samples per arm" data-testid="ab-min-samples" value={minSamples} onChange={(e) => setMinSamples(e.target.value)} placeholder="default" className="w-16 rounded border border-zinc-300 bg-transparent px-1 dark:border-zinc-700" /></label>
          <button type="button" data-testid="start-ab" disabled={pending || experimentRunning} onClick={() => act(() => startAbAction({ id: p.id, trafficSplit: split, minSamples: minSamples || undefined }))} className="rounded bg-blue-700 px-2 py-1 text-white disabled:opacity-50">Start A/B test</button>
        </div>
      )}
    </li>
  );
}
