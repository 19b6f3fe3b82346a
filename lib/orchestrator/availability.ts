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

type Inventory = { installed: Set<string>; loaded: Set<string>; hostsUp: number };

const g = globalThis as unknown as {
  __eliteAvailability?: { at: number; value: Promise<Inventory>; settled?: Inventory; refreshing?: boolean };
};

async function inventory(): Promise<Inventory> {
  const pool = getOllamaPool();
  const [tags, ps] = await Promise.all([pool.listModels(), pool.loadedModels()]);
  return {
    installed: new Set(tags.models.map((m) => normalizeModel(m.name))),
    loaded: new Set(ps.map((m) => normalizeModel(m.name))),
    hostsUp: tags.hosts.filter((h) => h.ok).length,
  };
}

/** After this a request refreshes the inventory in the background and goes on with the last one. */
const FRESH_MS = 3000;
/** After this a request waits for a fresh inventory. */
const USABLE_MS = 30_000;

/**
 * What the Ollama hosts have now. Every request asks, so it is kept: fresh for 3 s, then
 * refreshed in the background while requests go on with the last answer (up to 30 s old);
 * only the first request, or one after a failure or a long quiet spell, waits for the hosts.
 */
export async function modelAvailability(_models: string[]): Promise<Availability> {
  const hit = g.__eliteAvailability;
  const now = Date.now();
  let value: Promise<Inventory>;
  if (hit && now - hit.at < FRESH_MS) value = hit.value;
  else if (hit?.settled && now - hit.at < USABLE_MS) {
    value = Promise.resolve(hit.settled);
    if (!hit.refreshing) {
      hit.refreshing = true;
      const next = inventory();
      next.then(
        (inv) => (g.__eliteAvailability = { at: Date.now(), value: next, settled: inv }),
        () => void (hit.refreshing = false),
      );
    }
  } else {
    value = inventory();
    const entry: NonNullable<typeof g.__eliteAvailability> = { at: now, value };
    g.__eliteAvailability = entry;
    value.then(
      (inv) => void (entry.settled = inv),
      () => void (g.__eliteAvailability === entry && (g.__eliteAvailability = undefined)),
    );
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
