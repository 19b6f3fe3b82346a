"use client";
import { useActionState } from "react";
import { saveRoster } from "@/app/settings/actions";
import type { RosterFormState } from "@/app/settings/schema";

export interface RoleStatus {
  role: string;
  label: string;
  modelTag: string;
  pulled: boolean;
  loaded: boolean;
  contextLength: number | null;
  lastError: string | null;
}

export function RosterForm({ roles, editable }: { roles: RoleStatus[]; editable: boolean }) {
  const [state, action, pending] = useActionState<RosterFormState, FormData>(saveRoster, {});
  return (
    <form action={action} className="space-y-3" aria-label="Model roster">
      <table className="w-full text-left text-sm" data-testid="roster">
        <thead className="text-zinc-500">
          <tr>
            <th className="py-1 font-medium">Role</th>
            <th className="py-1 font-medium">Ollama tag</th>
            <th className="py-1 font-medium">Pulled</th>
            <th className="py-1 font-medium">Loaded</th>
            <th className="py-1 font-medium">Context</th>
            <th className="py-1 font-medium">Last error</th>
          </tr>
        </thead>
        <tbody>
          {roles.map((r) => (
            <tr key={r.role} data-testid={`roster-${r.role}`} className="border-t border-zinc-200 align-top dark:border-zinc-800">
              <td className="py-2 pr-2">{r.label}</td>
              <td className="py-2 pr-2">
                <input
                  name={r.role}
                  defaultValue={r.modelTag}
                  disabled={!editable}
                  aria-label={`Ollama tag for ${r.label}`}
                  aria-invalid={!!state.fields?.[r.role]}
                  className="w-full rounded border border-zinc-300 bg-white px-2 py-1 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-900"
                />
                {state.fields?.[r.role] && <p className="mt-1 text-xs text-red-600">{state.fields[r.role]}</p>}
                {!r.pulled && (
                  <p className="mt-1 text-xs text-amber-700 dark:text-amber-400">
                    Missing: run{" "}
                    <code data-testid={`pull-${r.role}`} className="rounded bg-zinc-100 px-1 dark:bg-zinc-800">
                      ollama pull {r.modelTag}
                    </code>
                  </p>
                )}
              </td>
              <td className="py-2 pr-2">{r.pulled ? "yes" : "no"}</td>
              <td className="py-2 pr-2">{r.loaded ? "yes" : "no"}</td>
              <td className="py-2 pr-2">{r.contextLength ? r.contextLength.toLocaleString("en") : "—"}</td>
              <td className="py-2 text-xs text-red-600">{r.lastError ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {state.error && <p role="alert" className="text-sm text-red-600">{state.error}</p>}
      {state.ok && <p role="status" data-testid="roster-saved" className="text-sm text-green-700 dark:text-green-400">{state.ok}</p>}
      {editable && (
        <button disabled={pending} className="rounded-md bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900">
          {pending ? "Saving…" : "Save roster"}
        </button>
      )}
    </form>
  );
}
