"use client";
import { useState } from "react";
import type { CycleSettings } from "@/lib/learning/cycle-settings";
import { saveSettingsAction } from "@/app/(ops)/adaptations/actions";
import type { Act } from "./act";

/** Thresholds, samples, duration, guardrails, autonomy and the analysis schedule. */
export function SettingsForm({ settings, act, pending }: { settings: CycleSettings; act: Act; pending: boolean }) {
  const [s, setS] = useState({
    promoteThreshold: String(settings.design.promoteThreshold),
    stopThreshold: String(settings.design.stopThreshold),
    minSamples: String(settings.design.minSamples),
    maxLooks: String(settings.design.maxLooks),
    maxDurationHours: String(settings.maxDurationHours),
    analysisIntervalMinutes: String(settings.analysisIntervalMinutes),
    maxErrorRateIncrease: String(settings.guardrails.maxErrorRateIncrease),
    maxP95Ratio: String(settings.guardrails.maxP95Ratio),
    minP95IncreaseMs: String(settings.guardrails.minP95IncreaseMs),
    guardrailMinSamples: String(settings.guardrails.minSamples),
    maxUserShare: String(settings.maxUserShare),
  });
  const [autonomy, setAutonomy] = useState(settings.autonomy);
  const field = (key: keyof typeof s, label: string) => (
    <label className="flex items-center justify-between gap-2">
      <span className="text-zinc-500">{label}</span>
      <input data-testid={`setting-${key}`} value={s[key]} onChange={(e) => setS({ ...s, [key]: e.target.value })} className="w-24 rounded border border-zinc-300 bg-transparent px-1 dark:border-zinc-700" />
    </label>
  );
  const save = () =>
    act(() =>
      saveSettingsAction({
        promoteThreshold: Number(s.promoteThreshold),
        stopThreshold: Number(s.stopThreshold),
        minSamples: Number(s.minSamples),
        maxLooks: Number(s.maxLooks),
        maxDurationHours: Number(s.maxDurationHours),
        analysisIntervalMinutes: Number(s.analysisIntervalMinutes),
        autonomy,
        maxUserShare: Number(s.maxUserShare),
        guardrails: { maxErrorRateIncrease: Number(s.maxErrorRateIncrease), maxP95Ratio: Number(s.maxP95Ratio), minP95IncreaseMs: Number(s.minP95IncreaseMs), minSamples: Number(s.guardrailMinSamples) },
      }),
    );
  return (
    <div className="grid max-w-2xl grid-cols-2 gap-x-6 gap-y-1 text-xs" data-testid="learning-settings">
      {field("promoteThreshold", "Promote at P(variant better) ≥")}
      {field("stopThreshold", "Stop at P(variant better) ≤")}
      {field("minSamples", "Minimum samples per arm")}
      {field("maxLooks", "Decision looks")}
      {field("maxDurationHours", "Maximum duration (hours)")}
      {field("analysisIntervalMinutes", "Analysis every (minutes, 0 = off)")}
      {field("maxErrorRateIncrease", "Guardrail: error rate increase ≤")}
      {field("maxP95Ratio", "Guardrail: p95 ratio ≤")}
      {field("minP95IncreaseMs", "Guardrail: p95 increase ≥ (ms) to count")}
      {field("guardrailMinSamples", "Guardrail: samples before it acts")}
      {field("maxUserShare", "One user counts for at most (share of an arm)")}
      <label className="col-span-2 flex items-center gap-2">
        <input type="checkbox" data-testid="setting-autonomy" checked={autonomy} onChange={(e) => setAutonomy(e.target.checked)} />
        Autonomy: low-risk parameter proposals start as experiments by themselves (nothing reaches production untested)
      </label>
      <div className="col-span-2">
        <button type="button" data-testid="save-settings" disabled={pending} onClick={save} className="rounded border border-zinc-300 px-2 py-1 disabled:opacity-50 dark:border-zinc-700">Save settings</button>
      </div>
    </div>
  );
}
