"use client";
import type { AdaptationsView } from "@/lib/learning/view";
import { decidePatternAction } from "@/app/(ops)/adaptations/actions";
import type { Act } from "./act";

/**
 * Learned routing patterns ("model X would have been better"): whom each serves, how big its
 * region is, how it has held; an operator shares one with everyone or retires it.
 */
export function PatternList({ patterns, act, pending }: { patterns: AdaptationsView["patterns"]; act: Act; pending: boolean }) {
  return (
    <section aria-labelledby="patterns-h" className="space-y-2">
      <h2 id="patterns-h" className="text-lg font-medium">Routing patterns</h2>
      {patterns.length === 0 ? (
        <p className="text-sm text-zinc-500" data-testid="patterns-empty">None yet: they come from “this model would have been better” in the chat or the API.</p>
      ) : (
        <table className="w-full text-left text-xs" data-testid="patterns">
          <thead className="text-zinc-500">
            <tr><th className="py-1">Model</th><th>Task types</th><th>Region</th><th>Held</th><th>Serves</th><th /></tr>
          </thead>
          <tbody>
            {patterns.map((p) => (
              <tr key={p.id} data-testid="pattern" data-shared={p.shared} className="border-t border-zinc-200 align-top dark:border-zinc-800">
                <td className="py-1 pr-2 font-medium">{p.model}</td>
                <td className="pr-2">{p.taskTypes.map((t) => t.replace(/_/g, " ")).join(", ") || "—"}</td>
                <td className="pr-2">{p.agreeing} requests{p.disagreeing ? `, ${p.disagreeing} carved out` : ""}</td>
                <td className="pr-2">{Math.round(p.confidence * 100)}% ({p.held} held, {p.failed} failed)</td>
                <td className="pr-2">{p.approved ? "everyone (an operator shared it)" : p.shared ? "everyone (several users taught it)" : `its ${p.teachers === 1 ? "teacher" : `${p.teachers} teachers`} only`}</td>
                <td className="space-x-2 whitespace-nowrap">
                  {!p.shared && (
                    <button type="button" data-testid="pattern-share" disabled={pending} onClick={() => act(() => decidePatternAction({ id: p.id, decision: "share" }))} className="rounded border border-green-600 px-2 py-0.5 text-green-700 disabled:opacity-50 dark:text-green-400">
                      Share with everyone
                    </button>
                  )}
                  <button type="button" data-testid="pattern-retire" disabled={pending} onClick={() => act(() => decidePatternAction({ id: p.id, decision: "retire" }))} className="rounded border border-red-300 px-2 py-0.5 text-red-700 disabled:opacity-50 dark:text-red-400">
                    Retire
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
