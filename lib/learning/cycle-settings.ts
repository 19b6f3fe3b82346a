import "server-only";
import type { z } from "zod";
import { settingsSchema } from "./settings-schema";
import type { Queryable } from "@/lib/db";
import { getSettings } from "@/lib/db/queries/app-settings";
import { DEFAULT_DESIGN, DEFAULT_GUARDRAILS, type Design, type Guardrails } from "./experiment-stats";
import { DEFAULT_MAX_USER_SHARE } from "./user-share";

/** The learning cycle's settings (app_settings `learning.*`), with defaults for missing or bad values. */
export { settingsSchema };

export interface CycleSettings {
  design: Design;
  guardrails: Guardrails;
  maxDurationHours: number;
  autonomy: boolean;
  analysisIntervalMinutes: number;
  /** the most of an experiment arm one user's conversations may count for */
  maxUserShare: number;
}

const num = (v: unknown, d: number) => (typeof v === "number" && Number.isFinite(v) ? v : d);

export async function loadCycleSettings(tx: Queryable): Promise<CycleSettings> {
  const s = await getSettings(tx, { prefix: "learning." });
  const g = (s["learning.guardrails"] ?? {}) as Partial<Guardrails>;
  return {
    design: {
      promoteThreshold: num(s["learning.promote_threshold"], DEFAULT_DESIGN.promoteThreshold),
      stopThreshold: num(s["learning.stop_threshold"], DEFAULT_DESIGN.stopThreshold),
      minSamples: Math.max(1, Math.round(num(s["learning.min_samples"], DEFAULT_DESIGN.minSamples))),
      maxLooks: Math.max(1, Math.round(num(s["learning.max_looks"], DEFAULT_DESIGN.maxLooks))),
    },
    guardrails: {
      maxErrorRateIncrease: num(g.maxErrorRateIncrease, DEFAULT_GUARDRAILS.maxErrorRateIncrease),
      maxP95Ratio: num(g.maxP95Ratio, DEFAULT_GUARDRAILS.maxP95Ratio),
      minP95IncreaseMs: num(g.minP95IncreaseMs, DEFAULT_GUARDRAILS.minP95IncreaseMs),
      minSamples: num(g.minSamples, DEFAULT_GUARDRAILS.minSamples),
    },
    maxDurationHours: num(s["learning.max_duration_hours"], 336),
    autonomy: s["learning.autonomy"] === true,
    analysisIntervalMinutes: num(s["learning.analysis_interval_minutes"], 360),
    maxUserShare: Math.min(1, Math.max(0.01, num(s["learning.max_user_share"], DEFAULT_MAX_USER_SHARE))),
  };
}

export function settingsRows(s: z.infer<typeof settingsSchema>): { key: string; value: unknown }[] {
  return [
    { key: "learning.promote_threshold", value: s.promoteThreshold },
    { key: "learning.stop_threshold", value: s.stopThreshold },
    { key: "learning.min_samples", value: s.minSamples },
    { key: "learning.max_looks", value: s.maxLooks },
    { key: "learning.max_duration_hours", value: s.maxDurationHours },
    { key: "learning.autonomy", value: s.autonomy },
    { key: "learning.analysis_interval_minutes", value: s.analysisIntervalMinutes },
    { key: "learning.guardrails", value: s.guardrails },
    ...(s.maxUserShare !== undefined ? [{ key: "learning.max_user_share", value: s.maxUserShare }] : []),
  ];
}
