import Link from "next/link";
import type { Heatmap } from "@/lib/analytics/prepare-breakdowns";
import { fmtCount, fmtPct, taskLabel } from "@/lib/analytics/format";

/** Red (0 %) through amber to green (100 %); grey for "no data". */
function cellClass(rate: number | null): string {
  if (rate === null) return "bg-zinc-100 text-zinc-400 dark:bg-zinc-900 dark:text-zinc-600";
  if (rate >= 0.9) return "bg-emerald-600 text-white dark:bg-emerald-500 dark:text-zinc-950";
  if (rate >= 0.8) return "bg-emerald-400 text-zinc-950 dark:bg-emerald-700 dark:text-white";
  if (rate >= 0.7) return "bg-lime-300 text-zinc-950 dark:bg-lime-800 dark:text-white";
  if (rate >= 0.6) return "bg-amber-200 text-zinc-950 dark:bg-amber-800 dark:text-white";
  if (rate >= 0.45) return "bg-orange-300 text-zinc-950 dark:bg-orange-800 dark:text-white";
  return "bg-rose-500 text-white dark:bg-rose-700";
}

/** Success rate per model × task type. Hover (or focus) a cell for its counts. */
export function SuccessHeatmap({ heatmap, modelHref }: { heatmap: Heatmap; modelHref: (model: string) => string }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full border-separate border-spacing-1 text-xs" data-testid="heatmap-table">
        <thead>
          <tr>
            <th className="text-left font-medium text-zinc-500 dark:text-zinc-400">Model \ task</th>
            {heatmap.taskTypes.map((t) => (
              <th key={t} scope="col" className="px-1 font-medium text-zinc-500 dark:text-zinc-400">
                {taskLabel(t)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {heatmap.models.map((m, i) => (
            <tr key={m}>
              <th scope="row" className="whitespace-nowrap pr-2 text-left font-mono font-normal">
                <Link href={modelHref(m)} className="text-sky-700 hover:underline dark:text-sky-400">
                  {m}
                </Link>
              </th>
              {heatmap.cells[i].map((c, j) => {
                const tip = c.rate === null
                  ? `${m} on ${taskLabel(heatmap.taskTypes[j])}: no answers with a known outcome${c.interactions ? ` (${fmtCount(c.interactions)} requests still running, cancelled or unjudged)` : ""}`
                  : `${m} on ${taskLabel(heatmap.taskTypes[j])}: ${fmtPct(c.rate, 1)} success of ${fmtCount(c.judged)} judged answers (${fmtCount(c.interactions)} requests)`;
                return (
                  <td key={heatmap.taskTypes[j]} className="p-0">
                    <div
                      tabIndex={0}
                      aria-label={tip}
                      data-testid="heatmap-cell"
                      data-rate={c.rate ?? ""}
                      className={`group relative rounded px-1 py-2 text-center tabular-nums ${cellClass(c.rate)}`}
                    >
                      {c.rate === null ? "—" : fmtPct(c.rate)}
                      <span className="pointer-events-none absolute bottom-full left-1/2 z-10 mb-1 hidden w-56 -translate-x-1/2 rounded-md border border-zinc-200 bg-white p-2 text-left text-xs text-zinc-800 shadow-lg group-hover:block group-focus:block dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100">
                        {tip}
                      </span>
                    </div>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-2 flex flex-wrap items-center gap-2 text-xs text-zinc-500 dark:text-zinc-400" data-testid="heatmap-legend">
        <span>Success rate:</span>
        {[
          ["< 45%", 0.3],
          ["45–60%", 0.5],
          ["60–70%", 0.65],
          ["70–80%", 0.75],
          ["80–90%", 0.85],
          ["≥ 90%", 0.95],
        ].map(([label, r]) => (
          <span key={label as string} className={`rounded px-1.5 py-0.5 ${cellClass(r as number)}`}>
            {label}
          </span>
        ))}
        <span className={`rounded px-1.5 py-0.5 ${cellClass(null)}`}>— no data</span>
      </p>
    </div>
  );
}
