"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useTransition } from "react";
import { RANGES, RANGE_LABEL, filtersToQuery, type Filters } from "@/lib/analytics/filters";
import { taskLabel } from "@/lib/analytics/format";
import { TASK_TYPES } from "@/lib/domain";

const withQuery = (path: string, q: string) => (q ? `${path}?${q}` : path);

/** Time range, model and task type, kept in the URL so every chart and the export follow them. */
export function FilterBar({ filters, models, lockModel = false }: { filters: Filters; models: string[]; lockModel?: boolean }) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  const go = (next: Filters) => {
    startTransition(() => router.push(withQuery(pathname, filtersToQuery(next))));
  };
  const modelChoices = filters.model && !models.includes(filters.model) ? [filters.model, ...models] : models;
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm" data-testid="dashboard-filters" aria-busy={pending}>
      <div role="group" aria-label="Time range" className="inline-flex overflow-hidden rounded-md border border-zinc-300 dark:border-zinc-700">
        {RANGES.map((r) => (
          <button
            key={r}
            type="button"
            data-testid={`range-${r}`}
            aria-pressed={filters.range === r}
            onClick={() => go({ ...filters, range: r })}
            className={`px-3 py-1.5 ${
              filters.range === r
                ? "bg-sky-600 text-white dark:bg-sky-500 dark:text-zinc-950"
                : "hover:bg-zinc-100 dark:hover:bg-zinc-800"
            }`}
          >
            {RANGE_LABEL[r]}
          </button>
        ))}
      </div>
      {!lockModel && (
        <label className="flex items-center gap-1.5">
          <span className="text-zinc-500 dark:text-zinc-400">Model</span>
          <select
            data-testid="filter-model"
            value={filters.model ?? ""}
            onChange={(e) => go({ ...filters, model: e.target.value || null })}
            className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-900"
          >
            <option value="">All models</option>
            {modelChoices.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="flex items-center gap-1.5">
        <span className="text-zinc-500 dark:text-zinc-400">Task type</span>
        <select
          data-testid="filter-task"
          value={filters.taskType ?? ""}
          onChange={(e) => go({ ...filters, taskType: (e.target.value || null) as Filters["taskType"] })}
          className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-900"
        >
          <option value="">All task types</option>
          {TASK_TYPES.map((t) => (
            <option key={t} value={t}>
              {taskLabel(t)}
            </option>
          ))}
        </select>
      </label>
      {(filters.model || filters.taskType) && !lockModel && (
        <Link href={withQuery(pathname, filtersToQuery({ ...filters, model: null, taskType: null }))} className="text-sky-700 underline dark:text-sky-400">
          Clear filters
        </Link>
      )}
      {pending && <span className="text-zinc-500">Updating…</span>}
    </div>
  );
}
