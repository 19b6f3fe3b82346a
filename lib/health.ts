import "server-only";
import { env } from "@/lib/config/env";
import { getDb } from "@/lib/db";
import { getOllamaPool, type HostHealth } from "@/lib/ollama";

export interface DatabaseStatus {
  ok: boolean;
  mode: "embedded" | "supabase";
  migrations?: number;
  latencyMs?: number;
  error?: string;
}

export type OllamaHostStatus = HostHealth;

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

/** Asks each configured host for its version (the simulator says so in its answer) and cool-down. */
export function ollamaStatus(): Promise<OllamaHostStatus[]> {
  return getOllamaPool().health();
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
