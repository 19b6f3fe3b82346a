import "server-only";
import { normalizeModel } from "@/lib/domain";
import { getOllamaPool } from "@/lib/ollama";

export interface Availability {
  /** Installed on a host that answers. */
  has(model: string): boolean;
  /** Loaded in memory on some host now (/api/ps). */
  loaded(model: string): boolean;
  /** The trained context window (we set num_ctx per request up to it), null if unknown. */
  contextLength(model: string): Promise<number | null>;
  hostsUp: number;
}

const g = globalThis as unknown as { __eliteAvailability?: { at: number; value: Promise<{ installed: Set<string>; loaded: Set<string>; hostsUp: number }> } };

async function inventory() {
  const pool = getOllamaPool();
  const [tags, ps] = await Promise.all([pool.listModels(), pool.loadedModels()]);
  return {
    installed: new Set(tags.models.map((m) => normalizeModel(m.name))),
    loaded: new Set(ps.map((m) => normalizeModel(m.name))),
    hostsUp: tags.hosts.filter((h) => h.ok).length,
  };
}

/** What the Ollama hosts have now (cached 3 s: every request asks). */
export async function modelAvailability(_models: string[]): Promise<Availability> {
  const hit = g.__eliteAvailability;
  let value: Promise<{ installed: Set<string>; loaded: Set<string>; hostsUp: number }>;
  if (hit && Date.now() - hit.at < 3000) value = hit.value;
  else {
    value = inventory();
    g.__eliteAvailability = { at: Date.now(), value };
    value.catch(() => (g.__eliteAvailability = undefined));
  }
  const inv = await value;
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
  g.__eliteAvailability = undefined;
}

const errors = ((globalThis as unknown as { __eliteModelErrors?: Map<string, { at: Date; message: string }> }).__eliteModelErrors ??= new Map());

/** The last failure of each model in this process (shown on Settings). */
export function noteModelError(model: string, message: string): void {
  errors.set(normalizeModel(model), { at: new Date(), message });
}

export function lastModelError(model: string): { at: Date; message: string } | null {
  return errors.get(normalizeModel(model)) ?? null;
}
