"use client";
import { useActionState } from "react";
import { saveRoutedModels } from "@/app/settings/actions";
import type { RosterFormState } from "@/app/settings/schema";
import type { RoutedModelStatus } from "@/lib/orchestrator/roster-status";

/** Installed chat models outside the roster, ticked when "elite" may route to them without a role. */
export function RoutedModelsForm({ models, editable }: { models: RoutedModelStatus[]; editable: boolean }) {
  const [state, action, pending] = useActionState<RosterFormState, FormData>(saveRoutedModels, {});
  if (models.length === 0) {
    return (
      <p className="text-sm text-zinc-500" data-testid="routed-models-none">
        Every installed chat model plays a role. Pull another one (<code>ollama pull qwen2.5-coder:7b</code>) to offer it here.
      </p>
    );
  }
  return (
    <form action={action} className="space-y-3" aria-label="Models routed without a role">
      <ul className="space-y-1 text-sm" data-testid="routed-models">
        {models.map((m) => (
          <li key={m.modelTag} data-testid={`routed-${m.modelTag}`} className="flex items-center gap-2">
            <input
              type="checkbox"
              id={`routed-${m.modelTag}`}
              name="model"
              value={m.modelTag}
              defaultChecked={m.routed}
              disabled={!editable}
              className="h-4 w-4"
            />
            <label htmlFor={`routed-${m.modelTag}`} className="font-mono text-xs">
              {m.modelTag}
            </label>
            <span className="text-xs text-zinc-500">
              {m.pulled ? (m.loaded ? "loaded" : "installed") : <span className="text-amber-700 dark:text-amber-400">missing: run <code>ollama pull {m.modelTag}</code></span>}
            </span>
          </li>
        ))}
      </ul>
      {state.error && <p role="alert" className="text-sm text-red-600">{state.error}</p>}
      {state.ok && <p role="status" data-testid="routed-models-saved" className="text-sm text-green-700 dark:text-green-400">{state.ok}</p>}
      {editable && (
        <button disabled={pending} className="rounded-md bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900">
          {pending ? "Saving…" : "Save routed models"}
        </button>
      )}
    </form>
  );
}
