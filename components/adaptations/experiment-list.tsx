"use client";
import { useState } from "react";
import type { AdaptationsView } from "@/lib/learning/view";
import { stopExperimentAction } from "@/app/(ops)/adaptations/actions";
import { PosteriorChart } from "./posterior-chart";
import type { Act } from "./act";

type Experiment = AdaptationsView["experiments"][number];
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function ExperimentList({ experiments, act, pending }: { experiments: Experiment[]; act: Act; pending: boolean }) {
  return (
    <section aria-labelledby="experiments-h" className="space-y-3">
      <h2 id="experiments-h" className="text-lg font-medium">Experiments</h2>
      {experiments.length === 0 && <p className="text-sm text-zinc-500">No experiments yet. Start an A/B test from a proposal.</p>}
      <ul className="space-y-3">
        {experiments.map((e) => <ExperimentCard key={e.id} e={e} act={act} pending={pending} />)}
      </ul>
    </section>
  );
}

function ExperimentCard({ e, act, pending }: { e: Experiment; act: Act; pending: boolean }) {
  const [reason, setReason] = useState("");
  return (
    <li data-testid="experiment" data-status={e.status} className="space-y-2 rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
      <div className="flex flex-wrap items-center gap-2">
        <span data-testid="experiment-status" className={`rounded px-1.5 text-xs ${e.status === "running" ? "bg-blue-50 text-blue-800" : e.status === "promoted" ? "bg-green-50 text-green-800" : e.status === "rolled_back" ? "bg-red-50 text-red-800" : "bg-zinc-100 text-zinc-800"}`}>
          {e.status.replace(/_/g, " ")}
        </span>
        <h3 className="font-medium">{e.title ?? "Experiment"}</h3>
        <span className="text-xs text-zinc-500">
          version {e.controlVersion} (control) vs {e.variantVersion} (variant), {Math.round(e.trafficSplit * 100)}% of conversations to the variant, since {new Date(e.startedAt).toLocaleString()}
        </span>
      </div>
      <div className="flex flex-wrap items-start gap-4">
        <PosteriorChart control={e.control.posterior} variant={e.variant.posterior} />
        <table className="text-xs" data-testid="experiment-stats">
          <thead className="text-zinc-500"><tr><th className="pr-3 text-left">arm</th><th className="pr-3">outcomes</th><th className="pr-3">successes</th><th className="pr-3">rate (95% interval)</th><th className="pr-3">errors</th><th>p95</th></tr></thead>
          <tbody>
            {(["control", "variant"] as const).map((arm) => (
              <tr key={arm} data-testid={`arm-${arm}`}>
                <td className="pr-3">{arm}</td>
                <td className="pr-3 text-center" data-testid={`arm-${arm}-n`}>{e[arm].n}</td>
                <td className="pr-3 text-center">{e[arm].successes}</td>
                <td className="pr-3 text-center">{pct(e[arm].mean)} ({pct(e[arm].interval.lower)}–{pct(e[arm].interval.upper)})</td>
                <td className="pr-3 text-center">{pct(e[arm].errorRate)}</td>
                <td className="text-center">{e[arm].p95Ms === null ? "—" : `${Math.round(e[arm].p95Ms)} ms`}</td>
              </tr>
            ))}
            <tr><td colSpan={6} className="pt-2" data-testid="p-variant-better">P(variant better) = {e.pVariantBetter.toFixed(3)}</td></tr>
            {e.nextLook && (
              <tr><td colSpan={6} className="text-zinc-500">
                Next decision at {e.nextLook.samplesPerArm} outcomes per arm (look {e.nextLook.look}): promote at ≥ {e.nextLook.promoteAt.toFixed(3)}, stop at ≤ {e.nextLook.stopAt.toFixed(3)}
              </td></tr>
            )}
          </tbody>
        </table>
      </div>
      {e.endReason && <p className="text-sm" data-testid="experiment-end-reason">Ended: {e.endReason}</p>}
      {e.status === "running" && (
        <div className="flex items-center gap-2 text-xs">
          <input aria-label="Reason to stop" data-testid="stop-reason" value={reason} onChange={(ev) => setReason(ev.target.value)} placeholder="Reason to stop" className="w-56 rounded border border-zinc-300 bg-transparent px-2 py-1 dark:border-zinc-700" />
          <button type="button" data-testid="stop-experiment" disabled={pending} onClick={() => act(() => stopExperimentAction({ id: e.id, reason }))} className="rounded bg-zinc-700 px-2 py-1 text-white disabled:opacity-50">Stop (keep production)</button>
        </div>
      )}
    </li>
  );
}
