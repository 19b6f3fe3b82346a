import "server-only";
import { asSystem } from "@/lib/db";
import { recentAttempts } from "@/lib/db/queries/past-interactions";
import { normalizeModel } from "@/lib/domain";
import { DEFAULT_TIMEOUTS } from "@/lib/ollama";
import { budgetFrom, WINDOW, type Budget, type LatencySample } from "./latency-budget";

/**
 * Each model's recent answer latencies, per process: read once from the attempts recorded in
 * routing decisions (so a restart keeps what was learned), then kept up to date as answers
 * arrive. The pool's default time-outs are the ceiling.
 */
const g = globalThis as unknown as {
  __eliteLatency?: Promise<Map<string, LatencySample[]>>;
  __eliteLastAnswer?: Map<string, number>;
  __eliteBudgets?: Map<string, Map<boolean, Budget | null>>;
};
const lastAnswer = (g.__eliteLastAnswer ??= new Map());
/**
 * Each model's budgets (cold, warm) as last computed, until its samples change: computing one
 * sorts up to WINDOW samples twice (about 60 µs), and every request plans up to three models.
 */
const budgets = (g.__eliteBudgets ??= new Map());
/** Within this long after a model answered it is surely still loaded (Ollama keeps a model 5 minutes by default). */
const SURELY_LOADED_MS = 60_000;

function samples(): Promise<Map<string, LatencySample[]>> {
  g.__eliteLatency ??= asSystem((tx) => recentAttempts(tx, { limit: 2000 }))
    .then((rows) => {
      const m = new Map<string, LatencySample[]>();
      for (const a of rows) if (a.ok && a.ttftMs !== null) push(m, a.model, { ttftMs: a.ttftMs, totalMs: a.ms, cold: a.cold });
      return m;
    })
    .catch(() => new Map());
  return g.__eliteLatency;
}

function push(m: Map<string, LatencySample[]>, model: string, s: LatencySample) {
  const key = normalizeModel(model);
  const list = m.get(key) ?? [];
  list.push(s);
  if (list.length > 2 * WINDOW) list.splice(0, list.length - 2 * WINDOW);
  m.set(key, list);
  budgets.delete(key);
}

/** A completed answer's latency. */
export async function recordLatency(model: string, s: LatencySample, now = Date.now()): Promise<void> {
  push(await samples(), model, s);
  lastAnswer.set(normalizeModel(model), now);
}

/** Whether the model answered so recently that it is loaded, whatever a cached /api/ps said. */
export function answeredRecently(model: string, now = Date.now()): boolean {
  return now - (lastAnswer.get(normalizeModel(model)) ?? -Infinity) < SURELY_LOADED_MS;
}

/** The model's learned time-outs for a cold or warm start, or null (the defaults apply). */
export async function learnedBudget(model: string, cold: boolean): Promise<Budget | null> {
  const key = normalizeModel(model);
  const list = (await samples()).get(key);
  if (!list) return null;
  const memo = budgets.get(key) ?? new Map<boolean, Budget | null>();
  if (!memo.has(cold)) memo.set(cold, budgetFrom(list, cold, DEFAULT_TIMEOUTS));
  budgets.set(key, memo);
  return memo.get(cold)!;
}

/** Forget what was learned (tests start over). */
export function resetLatency(): void {
  g.__eliteLatency = undefined;
  lastAnswer.clear();
  budgets.clear();
}
