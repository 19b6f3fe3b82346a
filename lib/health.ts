import "server-only";
import { env } from "@/lib/config/env";
import { getDb } from "@/lib/db";

export interface DatabaseStatus {
  ok: boolean;
  mode: "embedded" | "supabase";
  migrations?: number;
  latencyMs?: number;
  error?: string;
}

export interface OllamaHostStatus {
  host: string;
  ok: boolean;
  simulator: boolean;
  version?: string;
  error?: string;
}

export async function databaseStatus(): Promise<DatabaseStatus> {
  const mode = env().mode;
  const t0 = performance.now();
  try {
    const db = await getDb();
    const { rows } = await db.query<{ n: number }>(
      "select count(*)::int as n from supabase_migrations.schema_migrations",
    );
    return { ok: true, mode, migrations: rows[0].n, latencyMs: Math.round(performance.now() - t0) };
  } catch (e) {
    return { ok: false, mode, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Asks each configured host for its version; the simulator says so in its answer. */
export async function ollamaStatus(): Promise<OllamaHostStatus[]> {
  return Promise.all(
    env().ollamaHosts.map(async (host): Promise<OllamaHostStatus> => {
      try {
        const res = await fetch(`${host}/api/version`, { signal: AbortSignal.timeout(2000), cache: "no-store" });
        if (!res.ok) return { host, ok: false, simulator: false, error: `HTTP ${res.status}` };
        const body = (await res.json()) as { version?: string; simulator?: boolean };
        return { host, ok: true, simulator: body.simulator === true, version: body.version };
      } catch (e) {
        const reason = e instanceof Error && e.name === "TimeoutError" ? "no answer within 2 s" : "unreachable";
        return { host, ok: false, simulator: false, error: `${reason} (is \`ollama serve\` running?)` };
      }
    }),
  );
}

// The banner on every page asks often; a few seconds of caching keeps it cheap.
const g = globalThis as unknown as { __eliteOllamaStatus?: { at: number; value: Promise<OllamaHostStatus[]> } };
export function cachedOllamaStatus(maxAgeMs = 5000): Promise<OllamaHostStatus[]> {
  const hit = g.__eliteOllamaStatus;
  if (hit && Date.now() - hit.at < maxAgeMs) return hit.value;
  const value = ollamaStatus();
  g.__eliteOllamaStatus = { at: Date.now(), value };
  return value;
}
