import Link from "next/link";
import type { Dashboard } from "@/lib/analytics/dashboard";
import { describeFilters, filtersToQuery } from "@/lib/analytics/filters";
import { fmtNum } from "@/lib/analytics/format";
import { ChartCard } from "./chart-card";
import { RoutingValueChart } from "./routing-value-chart";
import { MIN_EFFECTIVE_ANSWERS } from "@/lib/learning/routed-log";
import { FallbackPathsChart, LatencyChart, LearningCurveChart, ParamArmsCharts, RoutingShareChart, SatisfactionChart } from "./charts";
import { FilterBar } from "./filter-bar";
import { SuccessHeatmap } from "./heatmap";
import { KpiCards } from "./kpi-cards";

export const modelHref = (model: string, query = "") => `/dashboard/models/${encodeURIComponent(model)}${query ? `?${query}` : ""}`;

/** The overview (or, with `model`, one model's page): figures, filters, every chart, export. */
export function DashboardView({ data, model, testId }: { data: Dashboard; model?: string; testId: string }) {
  const f = data.filters;
  const exportQuery = (format: string) => filtersToQuery(f, { format });
  const rangeOnly = filtersToQuery({ ...f, model: null });
  const grainNote = data.grain === "hour" ? "hourly buckets (UTC)" : "daily buckets (UTC)";
  return (
    <section data-testid={testId} className="space-y-5">
      <header className="space-y-3">
        <div className="flex flex-wrap items-baseline justify-between gap-3">
          <div>
            {model && (
              <Link href={`/dashboard${rangeOnly ? `?${rangeOnly}` : ""}`} className="text-sm text-sky-700 hover:underline dark:text-sky-400">
                ← All models
              </Link>
            )}
            <h1 className="text-2xl font-semibold">{model ? <span className="font-mono">{model}</span> : "Dashboard"}</h1>
            <p className="text-sm text-zinc-500 dark:text-zinc-400" data-testid="dashboard-scope">
              {model ? "How this model does, " : "How each model does per task type, how routing and learning evolve, "}
              {describeFilters(f)}.
            </p>
          </div>
          <div className="flex gap-2 text-sm">
            <a data-testid="export-csv" href={`/dashboard/export?${exportQuery("csv")}`} className="rounded-md border border-zinc-300 px-3 py-1.5 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
              Export CSV
            </a>
            <a data-testid="export-jsonl" href={`/dashboard/export?${exportQuery("jsonl")}`} className="rounded-md border border-zinc-300 px-3 py-1.5 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
              Export JSONL
            </a>
          </div>
        </div>
        <FilterBar filters={f} models={data.allModels} lockModel={Boolean(model)} />
      </header>

      <KpiCards kpis={data.kpis} />

      <div className="grid gap-4 xl:grid-cols-2">
        <ChartCard
          testId="chart-heatmap"
          title={model ? "Success rate by task type" : "Success rate: model × task type"}
          description="Share of finished answers with a reward ≥ 0.5 (stars first, then thumbs, then tags and preferences, then what users did next: regenerating, correcting, copying, their next message; then the automatic checks)."
          empty={data.heatmap.empty}
          wide
        >
          <SuccessHeatmap heatmap={data.heatmap} modelHref={(m) => modelHref(m, rangeOnly)} />
        </ChartCard>
        <ChartCard testId="chart-latency" title="Latency percentiles per model" description={`p95 solid, p50 dashed; completed answers, request to last token; ${grainNote}.`} empty={data.latency.empty}>
          <LatencyChart chart={data.latency} />
        </ChartCard>
        <ChartCard testId="chart-routing-share" title="Routing share over time" description={`Which model each request went to (the one that answered, else the first chosen); ${grainNote}.`} empty={data.share.empty}>
          <RoutingShareChart chart={data.share} />
        </ChartCard>
        <ChartCard testId="chart-satisfaction" title="Satisfaction trend" description="Average stars given and the share of thumbs up; gaps where nobody rated." empty={data.satisfaction.empty}>
          <SatisfactionChart chart={data.satisfaction} />
        </ChartCard>
        <ChartCard testId="chart-learning" title="Learning curve" description="Mean reward (rolling and per bucket) and how often the router explored instead of taking its best guess." empty={data.learning.empty}>
          <LearningCurveChart chart={data.learning} />
        </ChartCard>
        <ChartCard testId="chart-fallbacks" title="Fallback paths" description="Which model failed (error, time-out, broken stream, empty, refused or truncated answer) and which then answered." empty={data.fallbacks.empty}>
          <FallbackPathsChart chart={data.fallbacks} />
        </ChartCard>
        {data.routingValue && (
          <ChartCard
            testId="chart-routing-value"
            title="What learned routing is worth"
            description={`Success of the answers the learned policy routed (the newest ${data.routingValue.answers} with an outcome), beside what the role table and each model alone would have had on the same requests: estimated from the chance the policy had of each choice, with 95% intervals. A fixed choice is judged only on the requests where the policy could have drawn it, and shown once that is worth ${MIN_EFFECTIVE_ANSWERS} answers.`}
            empty={data.routingValue.empty}
            wide
          >
            <RoutingValueChart data={data.routingValue} />
          </ChartCard>
        )}
        <ChartCard testId="chart-param-arms" title="Parameter arms per model" description="Sampling parameters (temperature, token limit, context) each model ran with, by use." empty={data.arms.empty} wide>
          <ParamArmsCharts chart={data.arms} />
        </ChartCard>
      </div>

      <p className="text-xs text-zinc-500 dark:text-zinc-400" data-testid="server-ms">
        Read from the analytics rollups and prepared in {fmtNum(data.serverMs, 0)} ms on the server.
      </p>
    </section>
  );
}
