/**
 * Learned routing against fixed choices: one row per policy, its estimated success with a
 * 95% interval on a shared 0–100% axis. Draws what lib/analytics/routing-value.ts prepared.
 */
import type { RoutingValue, RoutingValueRow } from "@/lib/analytics/routing-value";
import { fmtPct } from "@/lib/analytics/format";

function labelOf(policy: string): string {
  if (policy === "learned") return "Learned routing (what users got)";
  if (policy === "table") return "Role table";
  return `Always ${policy}`;
}

function detailOf(row: RoutingValueRow): string {
  const v = row.value;
  if (row.policy === "learned") return `${v.matched} answers`;
  return `worth ${Math.round(v.effectiveN)} answers · covers ${fmtPct(v.support)} of requests`;
}

export function RoutingValueChart({ data }: { data: RoutingValue }) {
  return (
    <ul className="space-y-2" aria-label="Estimated success per way of routing">
      {data.rows.map((row) => {
        const v = row.value;
        const value = v.value ?? 0;
        const low = v.low ?? value;
        const high = v.high ?? value;
        const learned = row.policy === "learned";
        return (
          <li key={row.policy} data-testid="routing-value-row" data-policy={row.policy} className="grid grid-cols-[minmax(0,14rem)_1fr_auto] items-center gap-3 text-sm">
            <span className={`truncate ${learned ? "font-medium" : ""}`} title={labelOf(row.policy)}>
              {labelOf(row.policy)}
            </span>
            <span className="relative h-4 rounded bg-zinc-100 dark:bg-zinc-800" aria-hidden="true">
              <span className={`absolute top-1/2 h-1.5 -translate-y-1/2 rounded ${learned ? "bg-sky-500/60" : "bg-zinc-400/60 dark:bg-zinc-500/60"}`} style={{ left: `${low * 100}%`, width: `${Math.max(0.5, (high - low) * 100)}%` }} />
              <span className={`absolute top-1/2 h-3 w-1 -translate-x-1/2 -translate-y-1/2 rounded-sm ${learned ? "bg-sky-600 dark:bg-sky-400" : "bg-zinc-700 dark:bg-zinc-200"}`} style={{ left: `${value * 100}%` }} />
            </span>
            <span className="whitespace-nowrap tabular-nums text-zinc-600 dark:text-zinc-300">
              <span data-testid="routing-value-estimate" className="font-medium text-zinc-900 dark:text-zinc-100">{fmtPct(value)}</span> ({fmtPct(low)}–{fmtPct(high)}) · {detailOf(row)}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
