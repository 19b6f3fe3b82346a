import type { Kpis } from "@/lib/analytics/prepare";
import { fmtCount, fmtMs, fmtNum, fmtPct } from "@/lib/analytics/format";

function Kpi({ label, value, note, testId }: { label: string; value: string; note?: string; testId: string }) {
  return (
    <div data-testid={testId} className="rounded-lg border border-zinc-200 p-3 dark:border-zinc-800">
      <div className="text-xs uppercase tracking-wide text-zinc-500 dark:text-zinc-400">{label}</div>
      <div className="mt-1 text-2xl font-semibold tabular-nums" data-testid={`${testId}-value`}>
        {value}
      </div>
      {note && <div className="mt-0.5 text-xs text-zinc-500 dark:text-zinc-400">{note}</div>}
    </div>
  );
}

/** The overview's figures; "—" where there is nothing to measure yet. */
export function KpiCards({ kpis }: { kpis: Kpis }) {
  return (
    <div className="grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-8" data-testid="kpis">
      <Kpi testId="kpi-interactions" label="Interactions" value={fmtCount(kpis.interactions)} note={`${fmtCount(kpis.finished)} finished, ${fmtCount(kpis.failed)} failed${kpis.interrupted ? `, ${fmtCount(kpis.interrupted)} interrupted` : ""}`} />
      <Kpi testId="kpi-success" label="Success rate" value={fmtPct(kpis.successRate, 1)} note={kpis.judged ? `of ${fmtCount(kpis.judged)} with a known outcome` : "no known outcomes"} />
      <Kpi
        testId="kpi-satisfaction"
        label="Satisfaction"
        value={kpis.satisfaction === null ? "—" : `${fmtNum(kpis.satisfaction, 2)} ★`}
        note={kpis.rated ? `${fmtCount(kpis.rated)} ratings · ${fmtPct(kpis.thumbsUpRate)} thumbs up` : kpis.thumbsUpRate !== null ? `${fmtPct(kpis.thumbsUpRate)} thumbs up, no stars` : "nobody rated yet"}
      />
      <Kpi testId="kpi-p50" label="Latency p50" value={fmtMs(kpis.p50)} note="request to last token" />
      <Kpi testId="kpi-p95" label="Latency p95" value={fmtMs(kpis.p95)} note={kpis.meanLatency !== null ? `mean ${fmtMs(kpis.meanLatency)}` : "no completed answers"} />
      <Kpi testId="kpi-fallback" label="Fallback rate" value={fmtPct(kpis.fallbackRate, 1)} note={`explored ${fmtPct(kpis.explorationRate, 1)}`} />
      <Kpi
        testId="kpi-implicit"
        label="Said without feedback"
        value={fmtCount(kpis.implicit.failed + kpis.implicit.rephrase + kpis.implicit.thanks + kpis.implicit.abandoned)}
        note={`${fmtCount(kpis.implicit.failed)} “it failed” · ${fmtCount(kpis.implicit.rephrase)} asked again · ${fmtCount(kpis.implicit.thanks)} thanks · ${fmtCount(kpis.implicit.abandoned)} left broken`}
      />
      <Kpi testId="kpi-experiments" label="Running experiments" value={String(kpis.runningExperiments)} note={kpis.runningExperiments ? "see Adaptations" : "none running"} />
    </div>
  );
}
