import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { acquireDataDirLock } from "./data-dir-lock";
import { SEARCH_PATH } from "./pglite";
import type { Database, Queryable } from "./types";

/**
 * The embedded database on a worker thread of its own, for the server. PGlite runs PostgreSQL
 * compiled to WebAssembly on the thread that calls it: in the server's own thread, every
 * query (an HNSW insertion, a learning update) stopped every other request, its streams and
 * its timers, for as long as it ran (about 15 ms of every chat's 28 ms of CPU at 1 stream).
 * Here the queries run on another core while the server's thread goes on; each costs one
 * message each way. Same database, same files, same single connection, so the same
 * semantics: queries and transactions run one at a time as before, in the order they come,
 * but that `urgent` statements go first (the worker's queue, pglite-thread-worker.mjs).
 *
 * The worker is plain JavaScript (pglite-thread-worker.mjs), found from the working directory
 * (the project's root) when run by tsx or vitest; the production build bundles it as a worker
 * chunk of its own. Tests and scripts open PGlite in their own thread (openPglite), where
 * they need its handle.
 */
const WORKER_SCRIPT = path.join(process.cwd(), "lib", "db", "pglite-thread-worker.mjs");

interface Reply {
  id?: number;
  ok?: boolean;
  value?: unknown;
  error?: Record<string, unknown> & { message: string; name?: string };
  notify?: string;
  payload?: string;
  ready?: boolean;
}

/** An error from the worker, as a thrown Error with PostgreSQL's fields (code, detail, …). */
function revive(e: Reply["error"]): Error {
  const { message, name, ...fields } = e ?? { message: "unknown database error" };
  return Object.assign(new Error(message), fields, { name: name ?? "Error" });
}

/**
 * `urgentLeadMs`: how long a queued statement may be passed by urgent ones before it goes
 * next whatever comes (default 200 ms).
 */
export async function openPgliteThread({ dataDir, urgentLeadMs }: { dataDir: string; urgentLeadMs?: number }): Promise<Database> {
  const releaseLock = acquireDataDirLock(dataDir);
  let released = false;
  // Once per handle: a late exit event must not free a lock a reopening in this process took since.
  const release = () => {
    if (released) return;
    released = true;
    releaseLock();
  };
  let worker: Worker;
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    worker = new Worker(WORKER_SCRIPT, { workerData: { dataDir, searchPath: SEARCH_PATH, urgentLeadMs } });
  } catch (e) {
    release();
    throw e;
  }

  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(payload: string) => void>>();
  let nextId = 1;
  let gone: Error | null = null;
  let readyResolve: () => void;
  let readyReject: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => ((readyResolve = res), (readyReject = rej)));

  const fail = (e: Error) => {
    gone ??= e;
    readyReject(e);
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    release();
  };
  worker.on("message", (m: Reply) => {
    if (m.notify !== undefined) {
      for (const fn of listeners.get(m.notify) ?? []) fn(m.payload ?? "");
      return;
    }
    if (m.ready !== undefined) return m.ready ? readyResolve() : fail(revive(m.error));
    const p = pending.get(m.id!);
    if (!p) return;
    pending.delete(m.id!);
    if (m.ok) p.resolve(m.value);
    else p.reject(revive(m.error));
  });
  worker.on("error", (e) => fail(e));
  worker.on("exit", (code) => fail(new Error(`the embedded database's thread stopped (exit code ${code})`)));

  const call = <T>(message: Record<string, unknown>): Promise<T> => {
    if (gone) return Promise.reject(gone);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, ...message });
    });
  };

  const queryable = (tx?: number, urgent = false): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      return { rows: await call<T[]>({ op: "query", sql, params, tx, urgent }) };
    },
    async exec(sql: string) {
      await call({ op: "exec", sql, tx, urgent });
    },
  });

  await ready.catch(async (e) => {
    await worker.terminate();
    throw e;
  });

  return {
    kind: "pglite",
    ...queryable(),
    urgent: queryable(undefined, true),
    async transaction(fn) {
      const tx = await call<number>({ op: "begin" });
      let result;
      try {
        result = await fn(queryable(tx));
      } catch (e) {
        await call({ op: "end", tx, commit: false }).catch(() => {});
        throw e;
      }
      await call({ op: "end", tx, commit: true });
      return result;
    },
    async listen(channel, onPayload) {
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        await call({ op: "listen", channel });
      }
      set.add(onPayload);
      return async () => {
        const s = listeners.get(channel);
        if (!s?.delete(onPayload) || s.size > 0) return;
        listeners.delete(channel);
        await call({ op: "unlisten", channel }).catch(() => {});
      };
    },
    // One process per data directory (acquireDataDirLock); within it, callers serialise.
    exclusively: (_name, fn) => fn(),
    holdLock: async () => {},
    async close() {
      try {
        if (!gone) await call({ op: "close" });
      } finally {
        gone ??= new Error("the embedded database is closed");
        await worker.terminate();
        release();
      }
    },
  };
}
