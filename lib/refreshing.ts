/**
 * A value read from somewhere slow (the database, the Ollama hosts) that every request asks
 * for: kept in memory, fresh for `freshMs`; after that a request gets the last value at once
 * while one re-read runs in the background (stale-while-revalidate), up to `usableMs` old.
 * Only the first read, a read after `forget()` or after a failure, or one past `usableMs`
 * waits. A re-read that finishes after `forget()` is dropped. Kept on globalThis under `slot`,
 * so the server's module copies (and the tests) share one; or in `holder`, for a value each
 * module copy keeps for itself.
 */
type Entry<T> = { at: number; value: Promise<T>; settled?: T; refreshing?: boolean };

export interface Refreshing<T> {
  get(): Promise<T>;
  forget(): void;
}

export function refreshing<T>(
  slot: string,
  load: () => Promise<T>,
  { freshMs, usableMs = Infinity, holder = globalThis }: { freshMs: number; usableMs?: number; holder?: object },
): Refreshing<T> {
  const g = holder as Record<string, Entry<T> | undefined>;
  const install = (value: Promise<T>): Entry<T> => {
    const entry: Entry<T> = { at: Date.now(), value };
    g[slot] = entry;
    value.then(
      (v) => void (entry.settled = v),
      () => void (g[slot] === entry && (g[slot] = undefined)),
    );
    return entry;
  };
  return {
    get() {
      const hit = g[slot];
      const age = hit ? Date.now() - hit.at : Infinity;
      if (hit && age < freshMs) return hit.value;
      if (hit?.settled !== undefined && age < usableMs) {
        if (!hit.refreshing) {
          hit.refreshing = true;
          const next = load();
          next.then(
            (v) => void (g[slot] === hit && (g[slot] = { at: Date.now(), value: next, settled: v })),
            () => void (hit.refreshing = false),
          );
        }
        return Promise.resolve(hit.settled);
      }
      return install(load()).value;
    },
    forget() {
      g[slot] = undefined;
    },
  };
}
