import { pageIdentity } from "@/lib/auth/page";
import { databaseStatus, ollamaStatus } from "@/lib/health";
import { env } from "@/lib/config/env";
import { rosterStatus, routedModelsStatus } from "@/lib/orchestrator/roster-status";
import { RosterForm } from "@/components/settings/roster-form";
import { RoutedModelsForm } from "@/components/settings/routed-models-form";
import { ApiKeys } from "@/components/settings/api-keys";
import { headers } from "next/headers";
import { withUser } from "@/lib/db";
import { listApiKeys } from "@/lib/db/queries/api-keys";

export default async function SettingsPage() {
  const identity = await pageIdentity("/settings");
  const [db, hosts, roles, routed] = await Promise.all([databaseStatus(), ollamaStatus(), rosterStatus(), routedModelsStatus()]);
  const e = env();
  const keys = identity ? await withUser(identity.claims, (tx) => listApiKeys(tx)) : [];
  const h = await headers();
  const appUrl = `${h.get("x-forwarded-proto") ?? "http"}://${h.get("host") ?? "localhost:3000"}`;
  return (
    <div className="max-w-3xl space-y-8" data-testid="page-settings">
      <h1 className="text-2xl font-semibold">Settings</h1>

      <section aria-labelledby="db-h" className="space-y-2">
        <h2 id="db-h" className="text-lg font-medium">Database</h2>
        <dl className="grid grid-cols-[10rem_1fr] gap-y-1 text-sm">
          <dt className="text-zinc-500">Mode</dt>
          <dd data-testid="db-mode">
            {db.mode === "embedded" ? `Embedded PostgreSQL (PGlite) in ${e.pgliteDataDir}` : "Supabase / Postgres (DATABASE_URL)"}
          </dd>
          <dt className="text-zinc-500">Status</dt>
          <dd data-testid="db-status">
            {db.ok ? `OK, ${db.migrations} migrations applied` : <span className="text-red-600">Unavailable: {db.error}</span>}
          </dd>
          <dt className="text-zinc-500">Signed in as</dt>
          <dd>
            {identity?.email ?? identity?.userId} {identity?.isOperator ? "(operator)" : ""}
            {identity?.source === "local" && " — embedded mode has one local operator and no login"}
          </dd>
        </dl>
      </section>

      <section aria-labelledby="ollama-h" className="space-y-2">
        <h2 id="ollama-h" className="text-lg font-medium">Ollama hosts</h2>
        <p className="text-sm text-zinc-500">
          From <code>OLLAMA_HOST</code> (comma-separated for several machines).
        </p>
        <table className="w-full text-left text-sm" data-testid="ollama-hosts">
          <thead className="text-zinc-500">
            <tr>
              <th className="py-1 font-medium">Host</th>
              <th className="py-1 font-medium">Kind</th>
              <th className="py-1 font-medium">Status</th>
            </tr>
          </thead>
          <tbody>
            {hosts.map((h) => (
              <tr key={h.host} className="border-t border-zinc-200 dark:border-zinc-800">
                <td className="py-1 font-mono">{h.host}</td>
                <td className="py-1">{h.ok ? (h.simulator ? "Simulated" : "Real Ollama") : "—"}</td>
                <td className="py-1">
                  {h.ok ? `Up, version ${h.version}` : <span className="text-red-600">Down: {h.error}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="roster-h" className="space-y-2">
        <h2 id="roster-h" className="text-lg font-medium">Model roster</h2>
        <p className="text-sm text-zinc-500">
          Which Ollama model plays each role. {identity?.isOperator ? "Operators can change the tags." : "Only operators can change them."}
        </p>
        <RosterForm roles={roles} editable={Boolean(identity?.isOperator)} />
      </section>

      <section aria-labelledby="routed-h" className="space-y-2">
        <h2 id="routed-h" className="text-lg font-medium">Also routed</h2>
        <p className="text-sm text-zinc-500">
          Other installed models <code>elite</code> may send requests to. They play no role: each starts neutral, is tried
          while it could be the best for a kind of request, and is kept where it answers well (see the dashboard).
          Scripts read and change the roster and this list with <code>GET</code> / <code>PUT /api/routing</code> and an
          operator&apos;s API key.
        </p>
        <RoutedModelsForm models={routed} editable={Boolean(identity?.isOperator)} />
      </section>

      <section aria-labelledby="keys-h" className="space-y-2" data-testid="api-keys-section">
        <h2 id="keys-h" className="text-lg font-medium">API keys</h2>
        <p className="text-sm text-zinc-500">
          Use the assistant from your editor through its Ollama-compatible (<code>/api/chat</code>) and OpenAI-compatible
          (<code>/v1/chat/completions</code>) endpoints. Requests through a key run as you and teach the routing like chat does.
        </p>
        <ApiKeys
          appUrl={appUrl}
          keys={keys.map((k) => ({
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            createdAt: new Date(k.created_at).toISOString(),
            lastUsedAt: k.last_used_at ? new Date(k.last_used_at).toISOString() : null,
            revokedAt: k.revoked_at ? new Date(k.revoked_at).toISOString() : null,
          }))}
        />
      </section>
    </div>
  );
}
