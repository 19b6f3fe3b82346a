"use client";
import { useCallback, useEffect, useState, useTransition } from "react";
import { readNdjson } from "@/lib/ndjson-read";
import type { AdaptationsView } from "@/lib/learning/view";
import type { ActionResult } from "@/app/(ops)/adaptations/schema";
import { ProposalList } from "./proposal-list";
import { PatternList } from "./pattern-list";
import { ExperimentList } from "./experiment-list";
import { VersionTimeline } from "./version-timeline";
import { SettingsForm } from "./settings-form";

import type { Act } from "./act";
import { actorLabel } from "./actor-label";

const POLL_MS = 3000;

/** The Adaptations screen: analysis runs, proposals, experiments (live), versions, the audit log. */
export function AdaptationsApp({ initial, viewerId }: { initial: AdaptationsView; viewerId: string }) {
  const [view, setView] = useState(initial);
  const [message, setMessage] = useState<ActionResult | null>(null);
  const [pending, startTransition] = useTransition();
  const [analysis, setAnalysis] = useState<{ stage: string; progress: number } | null>(null);
  const [analysisResult, setAnalysisResult] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    const res = await fetch("/api/adaptations", { cache: "no-store" });
    if (res.ok) setView((await res.json()) as AdaptationsView);
  }, []);

  useEffect(() => {
    const t = setInterval(() => void refresh().catch(() => undefined), POLL_MS);
    return () => clearInterval(t);
  }, [refresh]);

  const act: Act = (fn) =>
    startTransition(async () => {
      const r = await fn();
      setMessage(r);
      await refresh();
    });

  async function runAnalysis() {
    setAnalysis({ stage: "Starting", progress: 0 });
    setAnalysisResult(null);
    try {
      const res = await fetch("/api/adaptations/analysis", { method: "POST" });
      if (!res.ok || !res.body) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
      }
      await readNdjson(res.body, (value) => {
        const e = value as { type: string; stage?: string; progress?: number; message?: string; summary?: { interactions: number; proposals: unknown[]; skipped: unknown[] } };
        if (e.type === "progress") setAnalysis({ stage: e.stage ?? "", progress: e.progress ?? 0 });
        if (e.type === "done" && e.summary) {
          setAnalysisResult(`Analysed ${e.summary.interactions} interactions: ${e.summary.proposals.length} new proposal(s), ${e.summary.skipped.length} not proposed again.`);
        }
        if (e.type === "error") setAnalysisResult(`The analysis failed: ${e.message}`);
      });
    } catch (e) {
      setAnalysisResult(`The analysis failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      setAnalysis(null);
      await refresh();
    }
  }

  return (
    <div className="max-w-5xl space-y-8" data-testid="page-adaptations">
      <header className="space-y-3">
        <h1 className="text-2xl font-semibold">Adaptations</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          The Learning Director proposes changes from the evidence; you approve, reject or A/B test them. Experiments promote or stop themselves on
          their posteriors and roll back on a guardrail breach. Every version is kept; any earlier one can be restored.
        </p>
        <div className="flex flex-wrap items-center gap-3">
          <button type="button" data-testid="run-analysis" onClick={() => void runAnalysis()} disabled={analysis !== null} className="rounded bg-zinc-900 px-3 py-1.5 text-sm text-white disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900">
            {analysis ? "Analysing…" : "Run analysis"}
          </button>
          {analysis && (
            <div className="flex min-w-64 items-center gap-2 text-xs">
              <div role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(analysis.progress * 100)} data-testid="analysis-progress" className="h-2 w-40 overflow-hidden rounded bg-zinc-200 dark:bg-zinc-800">
                <div className="h-full bg-blue-600 transition-all" style={{ width: `${Math.round(analysis.progress * 100)}%` }} />
              </div>
              <span>{analysis.stage}</span>
            </div>
          )}
          <span className="text-xs text-zinc-500" data-testid="last-analysis">
            {view.lastAnalysis?.until ? `Last run ${new Date(view.lastAnalysis.until).toLocaleString()} by ${actorLabel(view.lastAnalysis.by, viewerId)}` : "No analysis yet."}
            {view.settings.analysisIntervalMinutes > 0 ? ` Scheduled every ${view.settings.analysisIntervalMinutes} min.` : " No schedule."}
          </span>
        </div>
        {analysisResult && <p className="text-sm" data-testid="analysis-result">{analysisResult}</p>}
        {message && (
          <p role="status" data-testid="action-message" className={`text-sm ${message.error ? "text-red-600" : "text-green-700 dark:text-green-400"}`}>
            {message.error ?? message.ok}
          </p>
        )}
      </header>

      <ProposalList proposals={view.proposals} act={act} pending={pending} experimentRunning={view.experiments.some((e) => e.status === "running")} />
      <ExperimentList experiments={view.experiments} act={act} pending={pending} />
      <VersionTimeline versions={view.versions} act={act} pending={pending} viewerId={viewerId} />
      <PatternList patterns={view.patterns} act={act} pending={pending} />

      <section aria-labelledby="settings-h" className="space-y-2">
        <h2 id="settings-h" className="text-lg font-medium">Settings</h2>
        <SettingsForm settings={view.settings} act={act} pending={pending} />
      </section>

      <section aria-labelledby="audit-h" className="space-y-2">
        <h2 id="audit-h" className="text-lg font-medium">Audit log</h2>
        <table className="w-full text-left text-xs" data-testid="audit-log">
          <thead className="text-zinc-500">
            <tr><th className="py-1">When</th><th>Who</th><th>What</th><th>Why</th></tr>
          </thead>
          <tbody>
            {view.audit.map((a) => (
              <tr key={a.id} className="border-t border-zinc-200 align-top dark:border-zinc-800">
                <td className="py-1 pr-2 whitespace-nowrap">{new Date(a.createdAt).toLocaleString()}</td>
                <td className="pr-2" title={a.actor}>{actorLabel(a.actor, viewerId)}</td>
                <td className="pr-2 font-mono">{a.action}</td>
                <td>{a.reason ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
