/**
 * The learned fallback chain. For each (task type, model) we count rescues: how often the
 * model succeeded when it answered after every model before it had failed. The chain after
 * the primary is ordered by the posterior mean of that rescue rate; the static role chain is
 * the prior (earlier in the static chain = higher prior mean) and breaks ties.
 */
import type { TaskType } from "@/lib/domain";

export type RescueStats = { readonly rescueSuccess: number; readonly rescueTrials: number };
export type FallbackStats = Readonly<Partial<Record<TaskType, Readonly<Record<string, RescueStats>>>>>;

export const EMPTY_FALLBACK_STATS: FallbackStats = {};

/** Pseudo-count of the positional prior: a handful of real rescues outweigh it. */
const PRIOR_STRENGTH = 2;

function priorMean(rank: number): number {
  return Math.max(0.2, 0.6 - 0.1 * rank);
}

export function rescueMean(stats: RescueStats | undefined, rank: number): number {
  const s = stats ?? { rescueSuccess: 0, rescueTrials: 0 };
  return (priorMean(rank) * PRIOR_STRENGTH + s.rescueSuccess) / (PRIOR_STRENGTH + s.rescueTrials);
}

export function orderChain({
  taskType,
  primary,
  candidates,
  stats,
  priorsChain,
}: {
  taskType: TaskType;
  primary: string;
  candidates: readonly string[];
  stats: FallbackStats;
  /** the static chain for this task type, as model tags, best first */
  priorsChain: readonly string[];
}): string[] {
  const rows = stats[taskType] ?? {};
  const rankOf = (m: string) => {
    const i = priorsChain.indexOf(m);
    return i === -1 ? priorsChain.length : i;
  };
  return [...new Set(candidates)]
    .filter((m) => m !== primary)
    .map((model) => ({ model, rank: rankOf(model), mean: rescueMean(rows[model], rankOf(model)) }))
    .sort((a, b) => b.mean - a.mean || a.rank - b.rank)
    .map((r) => r.model);
}

/**
 * Updates from one request's whole trail of attempts, in order. Every attempt after the
 * first that came while all earlier ones had failed is a rescue trial; attempts after the
 * first success (should there be any) are ignored. Returns new stats.
 */
export function recordFallbackOutcome(
  stats: FallbackStats,
  { taskType, attempts }: { taskType: TaskType; attempts: readonly { model: string; ok: boolean }[] },
): FallbackStats {
  const rows: Record<string, RescueStats> = { ...(stats[taskType] ?? {}) };
  for (let i = 1; i < attempts.length; i++) {
    if (attempts[i - 1].ok) break;
    const { model, ok } = attempts[i];
    const cur = rows[model] ?? { rescueSuccess: 0, rescueTrials: 0 };
    rows[model] = { rescueSuccess: cur.rescueSuccess + (ok ? 1 : 0), rescueTrials: cur.rescueTrials + 1 };
    if (ok) break;
  }
  return { ...stats, [taskType]: rows };
}
