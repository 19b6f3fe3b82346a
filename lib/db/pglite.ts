import fs from "node:fs";
import { PGlite, type PGliteOptions } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { acquireDataDirLock } from "./data-dir-lock";
import type { Database, Queryable } from "./types";

export const SEARCH_PATH = `set search_path to "$user", public, extensions`;

/** Wraps a PGlite instance in the driver interface. */
export function wrapPglite(pg: PGlite, onClose?: () => void): Database & { pg: PGlite } {
  const wrap = (q: Pick<PGlite, "query" | "exec">): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      const res = await q.query<T>(sql, params as unknown[]);
      return { rows: res.rows };
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  });
  return {
    kind: "pglite",
    pg,
    ...wrap(pg),
    urgent: wrap(pg), // one caller's thread: statements run in the order they are called
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    listen: (channel, onPayload) => pg.listen(channel, onPayload),
    // One process per data directory (acquireDataDirLock); within it, callers serialise.
    exclusively: (_name, fn) => fn(),
    holdLock: async () => {},
    close: async () => {
      try {
        await pg.close();
      } finally {
        onClose?.();
      }
    },
  };
}

/**
 * Opens the embedded database. With a dataDir it persists there under a lock; without
 * one it lives in memory (tests). `loadDataDir` starts from a dump (a migrated template).
 */
export async function openPglite(
  opts: { dataDir?: string; loadDataDir?: Blob | File } = {},
): Promise<Database & { pg: PGlite }> {
  const release = opts.dataDir ? acquireDataDirLock(opts.dataDir) : undefined;
  try {
    if (opts.dataDir) fs.mkdirSync(opts.dataDir, { recursive: true });
    const options: PGliteOptions = { extensions: { vector }, relaxedDurability: false };
    if (opts.loadDataDir) options.loadDataDir = opts.loadDataDir;
    const pg = opts.dataDir ? await PGlite.create(opts.dataDir, options) : await PGlite.create(options);
    await pg.exec(SEARCH_PATH);
    return wrapPglite(pg, release);
  } catch (e) {
    release?.();
    throw e;
  }
}
