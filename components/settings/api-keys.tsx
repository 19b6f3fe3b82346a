"use client";
import { useActionState, useState } from "react";
import { createApiKeyAction, revokeApiKeyAction } from "@/app/settings/actions";
import type { ApiKeyFormState } from "@/app/settings/schema";

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString("en", { dateStyle: "medium", timeStyle: "short" }) : "never");

/** Create (the secret shown once), list by prefix, revoke. Keys authenticate the Ollama- and OpenAI-compatible endpoints. */
export function ApiKeys({ keys, appUrl }: { keys: ApiKeyView[]; appUrl: string }) {
  const [created, create, creating] = useActionState<ApiKeyFormState, FormData>(createApiKeyAction, {});
  const [revoked, revoke, revoking] = useActionState<ApiKeyFormState, FormData>(revokeApiKeyAction, {});
  const [copied, setCopied] = useState<string | null>(null);

  return (
    <div className="space-y-4">
      <form action={create} className="flex flex-wrap items-end gap-2" aria-label="Create an API key">
        <label className="flex flex-col text-sm">
          <span className="text-zinc-500">Name</span>
          <input
            name="name"
            required
            maxLength={100}
            placeholder="e.g. Continue on my laptop"
            data-testid="api-key-name"
            className="w-64 rounded border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          />
        </label>
        <button
          disabled={creating}
          data-testid="api-key-create"
          className="rounded-md bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900"
        >
          {creating ? "Creating…" : "Create key"}
        </button>
      </form>
      {created.error && <p role="alert" className="text-sm text-red-600">{created.error}</p>}
      {created.secret && (
        <div role="status" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950" data-testid="api-key-created">
          <p>{created.ok}</p>
          <div className="flex items-center gap-2">
            <code data-testid="api-key-secret" className="break-all rounded bg-white px-2 py-1 font-mono text-xs dark:bg-zinc-900">
              {created.secret}
            </code>
            <button
              type="button"
              onClick={() => navigator.clipboard?.writeText(created.secret!).then(() => setCopied(created.secret!), () => undefined)}
              className="rounded border border-zinc-300 px-2 py-1 text-xs dark:border-zinc-700"
            >
              {copied === created.secret ? "Copied" : "Copy"}
            </button>
          </div>
          <p className="text-xs text-zinc-600 dark:text-zinc-400">
            Ollama clients: host <code>{appUrl}</code>, header <code>Authorization: Bearer &lt;key&gt;</code>. OpenAI clients: base URL{" "}
            <code>{appUrl}/v1</code>, the key as the API key. Model <code>elite</code> routes; a roster tag forces that model.
          </p>
        </div>
      )}
      {revoked.error && <p role="alert" className="text-sm text-red-600">{revoked.error}</p>}
      {revoked.ok && <p role="status" data-testid="api-key-revoked" className="text-sm text-green-700 dark:text-green-400">{revoked.ok}</p>}

      {keys.length === 0 ? (
        <p className="text-sm text-zinc-500" data-testid="api-keys-empty">No API keys yet.</p>
      ) : (
        <table className="w-full text-left text-sm" data-testid="api-keys">
          <thead className="text-zinc-500">
            <tr>
              <th className="py-1 font-medium">Key</th>
              <th className="py-1 font-medium">Name</th>
              <th className="py-1 font-medium">Created</th>
              <th className="py-1 font-medium">Last used</th>
              <th className="py-1 font-medium">Status</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id} data-testid="api-key-row" data-prefix={k.prefix} className="border-t border-zinc-200 dark:border-zinc-800">
                <td className="py-1 font-mono text-xs">{k.prefix}…</td>
                <td className="py-1">{k.name}</td>
                <td className="py-1">{when(k.createdAt)}</td>
                <td className="py-1" data-testid="api-key-last-used">{when(k.lastUsedAt)}</td>
                <td className="py-1">
                  {k.revokedAt ? (
                    <span className="text-zinc-500" data-testid="api-key-status">revoked {when(k.revokedAt)}</span>
                  ) : (
                    <form action={revoke} className="flex items-center gap-2">
                      <span data-testid="api-key-status">active</span>
                      <input type="hidden" name="id" value={k.id} />
                      <button
                        disabled={revoking}
                        data-testid="api-key-revoke"
                        aria-label={`Revoke ${k.name}`}
                        className="rounded border border-red-300 px-2 py-0.5 text-xs text-red-700 disabled:opacity-50 dark:border-red-800 dark:text-red-400"
                      >
                        Revoke
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
