import "server-only";
import { asSystem, getDb } from "@/lib/db";
import { getSettings } from "@/lib/db/queries/app-settings";
import { loadCycleSettings } from "./cycle-settings";
import { runAnalysis } from "./director";
import { checkRunningExperiments } from "./engine";
import { learnFromAbandonment } from "./implicit-feedback";

const TICK_MS = 60_000;
const g = globalThis as unknown as { __eliteLearningTimer?: NodeJS.Timeout; __eliteLearningBusy?: boolean };

/**
 * One scheduler tick: check running experiments (experiment_check), read the broken answers
 * users left (lib/learning/implicit-feedback.ts), then run the analysis
 * when `learning.analysis_interval_minutes` (0 = never) has passed since the last run.
 * Also what the cron route runs (`force` runs the analysis whatever the interval).
 * Runs in one instance at a time (an advisory lock on the database): when another instance
 * is ticking, it answers `{ busy: true }` and does nothing.
 */
export async function learningTick(opts: { force?: boolean; actorId?: string } = {}) {
  const db = await getDb();
  return (await db.exclusively("learning.tick", () => tick(opts))) ?? { busy: true as const, experiments: [], abandoned: 0, analysis: null };
}

async function tick({ force = false, actorId = "system" }: { force?: boolean; actorId?: string }) {
  const experiments = await checkRunningExperiments();
  // Broken answers their users left since the last tick count as weak poor outcomes.
  const abandoned = await learnFromAbandonment().catch((e) => (console.error("reading abandoned answers failed", e), []));
  const { settings, last } = await asSystem(async (tx) => ({
    settings: await loadCycleSettings(tx),
    last: (await getSettings(tx, { prefix: "learning.last_analysis" }))["learning.last_analysis"] as { until?: string } | undefined,
  }));
  const due =
    force ||
    (settings.analysisIntervalMinutes > 0 && (!last?.until || Date.now() - new Date(last.until).getTime() >= settings.analysisIntervalMinutes * 60_000));
  const analysis = due ? await runAnalysis({ actorId }) : null;
  return { experiments, abandoned: abandoned.length, analysis: analysis ? { interactions: analysis.interactions, themes: analysis.themes, proposals: analysis.proposals } : null };
}

/** Started once per server process from instrumentation-node.ts. */
export function startLearningScheduler(): void {
  if (g.__eliteLearningTimer) return;
  g.__eliteLearningTimer = setInterval(() => {
    if (g.__eliteLearningBusy) return;
    g.__eliteLearningBusy = true;
    learningTick()
      .catch((e) => console.error("learning scheduler tick failed", e))
      .finally(() => (g.__eliteLearningBusy = false));
  }, TICK_MS);
  g.__eliteLearningTimer.unref();
}

/** Stops the scheduler's ticks (a stopping server); a tick under way finishes. */
export function stopLearningScheduler(): void {
  if (g.__eliteLearningTimer) clearInterval(g.__eliteLearningTimer);
  g.__eliteLearningTimer = undefined;
}
