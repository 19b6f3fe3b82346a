import "server-only";
import { normalizeModel } from "@/lib/domain";
import { getOllamaPool } from "@/lib/ollama";
import { refreshing } from "@/lib/refreshing";

export interface Availability {
  /** Installed on a host that answers. */
  has(model: string): boolean;
  /** Loaded in memory on some host now (/api/ps). */
  loaded(model: string): boolean;
  /** The trained context window (we set num_ctx per request up to it), null if unknown. */
  contextLength(model: string): Promise<number | null>;
  hostsUp: number;
}

type Inventory = { installed: Set<string>; loaded: Set<string>; hostsUp: number };

async function inventory(): Promise<Inventory> {
  const pool = getOllamaPool();
  const [tags, ps] = await Promise.all([pool.listModels(), pool.loadedModels()]);
  return {
    installed: new Set(tags.models.map((m) => normalizeModel(m.name))),
    loaded: new Set(ps.map((m) => normalizeModel(m.name))),
    hostsUp: tags.hosts.filter((h) => h.ok).length,
  };
}

/**
 * What the Ollama hosts have now. Every request asks, so it is kept: fresh for 3 s, then
 * refreshed in the background while requests go on with the last answer (up to 30 s old);
 * only the first request, or one after a failure or a long quiet spell, waits for the hosts.
 */
const hosts = refreshing("__eliteAvailability", inventory, { freshMs: 3000, usableMs: 30_000 });

export async function modelAvailability(_models: string[]): Promise<Availability> {
  const inv = await hosts.get();
  return {
    has: (m) => inv.installed.has(normalizeModel(m)),
    loaded: (m) => inv.loaded.has(normalizeModel(m)),
    contextLength: async (m) => {
      try {
        const info = await getOllamaPool().show(m);
        return info.contextLength;
      } catch {
        return null;
      }
    },
    hostsUp: inv.hostsUp,
  };
}

export function invalidateAvailability(): void {
  hosts.forget();
}

const errors = ((globalThis as unknown as { __eliteModelErrors?: Map<string, { at: Date; message: string }> }).__eliteModelErrors ??= new Map());

/** The last failure of each model in this process (shown on Settings). */
export function noteModelError(model: string, message: string): void {
  errors.set(normalizeModel(model), { at: new Date(), message });
}

export function lastModelError(model: string): { at: Date; message: string } | null {
  return errors.get(normalizeModel(model)) ?? null;
}
