import type { Queryable } from "../types";

/**
 * Reads of the analytics rollups (interaction_rollups, fallback_rollups, param_arm_rollups),
 * never of interactions: the dashboard's cost depends on how many hours or days it shows,
 * not on how many interactions there are. Runs under the caller's RLS session (operators).
 */

export interface RollupFilter {
  grain: "hour" | "day";
  from: Date | null;
  model?: string | null;
  taskType?: string | null;
}

/** Summed counters of interaction_rollups (numbers arrive as numbers; the histogram as 48 counts). */
export interface RollupSums {
  interactions: number;
  completed: number;
  failed: number;
  cancelled: number;
  judged: number;
  successes: number;
  reward_sum: number;
  rated: number;
  rating_sum: number;
  thumbs_up: number;
  thumbs_down: number;
  fallbacks: number;
  explored: number;
  regenerations: number;
  latency_n: number;
  latency_sum: number;
  hist: number[];
}

const COUNTERS = [
  "interactions",
  "completed",
  "failed",
  "cancelled",
  "judged",
  "successes",
  "reward_sum",
  "rated",
  "rating_sum",
  "thumbs_up",
  "thumbs_down",
  "fallbacks",
  "explored",
  "regenerations",
  "latency_n",
  "latency_sum",
] as const;

// Summing 48 subscripts in one pass is far cheaper than unnesting the arrays.
// Integer counts: PGlite parses an int array several times faster than a float8 one.
const HIST_SUMS = Array.from({ length: 48 }, (_, i) => `coalesce(sum(latency_hist[${i + 1}]), 0)::int`).join(", ");
const SUMS = `${COUNTERS.map((c) => `coalesce(sum(${c}), 0)::float8 as ${c}`).join(", ")}, array[${HIST_SUMS}] as hist`;

/**
 * The WHERE clause of a rollup read. interaction_rollups and param_arm_rollups hold, beside
 * each task type's rows, '*' rows for all task types together: unfiltered reads take those.
 */
function where(f: RollupFilter, opts: { modelColumn?: string; perTask?: boolean; taskColumn?: false } = {}): { sql: string; params: unknown[] } {
  const params: unknown[] = [f.grain];
  const parts = ["grain = $1"];
  if (f.from) {
    params.push(f.from);
    parts.push(`bucket >= $${params.length}`);
  }
  if (f.model && opts.modelColumn !== "") {
    params.push(f.model);
    parts.push(`${opts.modelColumn ?? "model"} = $${params.length}`);
  }
  if (opts.perTask) {
    // Per task type: the '*' rows (all task types together) would count everything twice.
    if (f.taskType) {
      params.push(f.taskType);
      parts.push(`task_type = $${params.length}`);
    } else parts.push("task_type <> '*'");
  } else if (opts.taskColumn !== false) {
    params.push(f.taskType ?? "*");
    parts.push(`task_type = $${params.length}`);
  } else if (f.taskType) {
    params.push(f.taskType);
    parts.push(`task_type = $${params.length}`);
  }
  return { sql: parts.join(" and "), params };
}

function toSums(r: Record<string, unknown>): RollupSums {
  const out = Object.fromEntries(COUNTERS.map((c) => [c, Number(r[c] ?? 0)])) as unknown as RollupSums;
  out.hist = ((r.hist as unknown[]) ?? []).map(Number);
  return out;
}

export interface ModelTaskRow {
  model: string;
  task_type: string;
  interactions: number;
  judged: number;
  successes: number;
  reward_sum: number;
}

/** Per (model, task type): the success heatmap. */
export async function getModelTaskMatrix(tx: Queryable, f: RollupFilter): Promise<ModelTaskRow[]> {
  const w = where(f, { perTask: true });
  const { rows } = await tx.query<ModelTaskRow>(
    `select model, task_type, sum(interactions)::float8 as interactions, sum(judged)::float8 as judged,
       sum(successes)::float8 as successes, sum(reward_sum)::float8 as reward_sum
     from interaction_rollups where ${w.sql} group by model, task_type order by model, task_type`,
    w.params,
  );
  return rows.map((r) => ({ ...r, interactions: Number(r.interactions), judged: Number(r.judged), successes: Number(r.successes), reward_sum: Number(r.reward_sum) }));
}

export type SeriesRow = RollupSums & { bucket: Date; model: string };

/** Per (bucket, model): latency, routing share, satisfaction and the learning curve over time. */
export async function getModelSeries(tx: Queryable, f: RollupFilter): Promise<SeriesRow[]> {
  const w = where(f);
  const { rows } = await tx.query<Record<string, unknown>>(
    `select bucket, model, ${SUMS} from interaction_rollups where ${w.sql} group by bucket, model order by bucket, model`,
    w.params,
  );
  return rows.map((r) => ({ ...toSums(r), bucket: new Date(r.bucket as string | Date), model: String(r.model) }));
}

export interface FallbackPathRow {
  failed_model: string;
  rescue_model: string;
  count: number;
}

/** Which model failed and which then answered; with a model filter, paths where it is either. */
export async function getFallbackPaths(tx: Queryable, f: RollupFilter): Promise<FallbackPathRow[]> {
  const w = where(f, { modelColumn: "", taskColumn: false });
  let sql = w.sql;
  if (f.model) {
    w.params.push(f.model);
    sql += ` and (failed_model = $${w.params.length} or rescue_model = $${w.params.length})`;
  }
  const { rows } = await tx.query<FallbackPathRow>(
    `select failed_model, rescue_model, sum(count)::float8 as count from fallback_rollups where ${sql}
     group by failed_model, rescue_model having sum(count) > 0 order by 3 desc, 1, 2`,
    w.params,
  );
  return rows.map((r) => ({ ...r, count: Number(r.count) }));
}

export interface ParamArmRow {
  model: string;
  arm: string;
  interactions: number;
  judged: number;
  successes: number;
  reward_sum: number;
  latency_n: number;
  latency_sum: number;
}

/** Parameter arms per model: how often each ran and how it did. */
export async function getParamArms(tx: Queryable, f: RollupFilter): Promise<ParamArmRow[]> {
  const w = where(f);
  const { rows } = await tx.query<ParamArmRow>(
    `select model, arm, sum(interactions)::float8 as interactions, sum(judged)::float8 as judged,
       sum(successes)::float8 as successes, sum(reward_sum)::float8 as reward_sum,
       sum(latency_n)::float8 as latency_n, sum(latency_sum)::float8 as latency_sum
     from param_arm_rollups where ${w.sql} group by model, arm having sum(interactions) > 0 order by model, 3 desc`,
    w.params,
  );
  return rows.map((r) => ({
    model: r.model,
    arm: r.arm,
    interactions: Number(r.interactions),
    judged: Number(r.judged),
    successes: Number(r.successes),
    reward_sum: Number(r.reward_sum),
    latency_n: Number(r.latency_n),
    latency_sum: Number(r.latency_sum),
  }));
}

export async function countRunningExperiments(tx: Queryable): Promise<number> {
  const { rows } = await tx.query<{ n: number }>("select count(*)::int as n from experiments where status = 'running'");
  return Number(rows[0]?.n ?? 0);
}

/** What users' next messages said about answers since `from` (lib/learning/implicit-feedback.ts), per signal. */
export async function countImplicitSignals(tx: Queryable, f: { from: Date | null; model?: string | null; taskType?: string | null }): Promise<Record<string, number>> {
  const { rows } = await tx.query<{ signal: string; n: number }>(
    `select feedback -> 'implicit' ->> 'signal' as signal, count(*)::int as n from interactions
      where feedback ? 'implicit' and ($1::timestamptz is null or created_at >= $1)
        and ($2::text is null or model_used = $2) and ($3::text is null or task_type = $3)
      group by 1`,
    [f.from, f.model ?? null, f.taskType ?? null],
  );
  return Object.fromEntries(rows.map((r) => [r.signal, r.n]));
}

/** Interactions their server stopped answering (crash recovery), counted apart from failures. */
export async function countInterrupted(tx: Queryable, f: { from: Date | null; model?: string | null; taskType?: string | null }): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(
    `select count(*)::int as n from interactions
      where status = 'interrupted' and ($1::timestamptz is null or created_at >= $1)
        and ($2::text is null or model_used = $2) and ($3::text is null or task_type = $3)`,
    [f.from, f.model ?? null, f.taskType ?? null],
  );
  return rows[0].n;
}

/** Recomputes every rollup from the interactions (after a bulk load; tests compare with the triggers). */
export async function rebuildRollups(tx: Queryable): Promise<void> {
  await tx.query("select private.rebuild_analytics_rollups()");
}
