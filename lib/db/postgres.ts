import postgres from "postgres";
import type { Database, Queryable } from "./types";

/**
 * Whether statements are prepared on each connection (parsed and planned once, then sent as one
 * message): yes but behind a transaction pooler, which hands each transaction to another
 * server connection (Supabase's on port 6543). Unprepared, postgres.js asks the server for a
 * statement's parameter types before every execution: two round trips for each statement
 * with parameters instead of one. The app needs a direct or session connection anyway (it
 * listens for other instances' changes and holds session locks).
 */
export function preparesStatements(url: string): boolean {
  try {
    return new URL(url).port !== "6543";
  } catch {
    return false;
  }
}

/** Any Postgres with pgvector (Supabase included), through postgres.js. */
export function openPostgres(url: string, opts: { max?: number } = {}): Database {
  const prepare = preparesStatements(url);
  const sql = postgres(url, {
    max: opts.max ?? 10,
    prepare,
    onnotice: () => {},
    connection: { search_path: '"$user", public, extensions' },
    // As PGlite does: a string bound to a json/jsonb parameter is already JSON (the app
    // passes JSON.stringify(...) text), and a string bound to a timestamp is passed as it is
    // (a keyset cursor keeps its microseconds; postgres.js would round it through Date).
    types: {
      date: {
        to: 1184,
        from: [1082, 1114, 1184],
        serialize: (x: unknown) => (typeof x === "string" ? x : (x instanceof Date ? x : new Date(x as number)).toISOString()),
        parse: (x: string) => new Date(x),
      },
      json: {
        to: 114,
        from: [114, 3802],
        serialize: (x: unknown) => (typeof x === "string" ? x : JSON.stringify(x)),
        parse: (x: string) => JSON.parse(x),
      },
    },
  });
  const wrap = (q: postgres.Sql | postgres.TransactionSql): Queryable => ({
    async query<T>(text: string, params: unknown[] = []) {
      const rows = await q.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare });
      return { rows: rows as unknown as T[] };
    },
    async exec(text: string) {
      await q.unsafe(text);
    },
  });
  const held: postgres.ReservedSql[] = [];
  return {
    kind: "postgres",
    ...wrap(sql),
    urgent: wrap(sql), // a pool of connections: nothing queues behind one statement
    transaction: (fn) => sql.begin((tx) => fn(wrap(tx))) as ReturnType<typeof fn>,
    async listen(channel, onPayload, onRelisten) {
      // postgres.js keeps one connection for LISTEN and re-listens after it reconnects; its
      // onlisten callback runs each time, the first time included.
      let listened = 0;
      const { unlisten } = await sql.listen(channel, onPayload, () => {
        if (listened++ > 0) onRelisten?.();
      });
      return unlisten;
    },
    async exclusively(name, fn) {
      const conn = await sql.reserve();
      try {
        if (!(await tryLock(conn, name))) return null;
        try {
          return await fn();
        } finally {
          await conn`select pg_advisory_unlock(hashtext(${name}))`;
        }
      } finally {
        conn.release();
      }
    },
    async holdLock(name) {
      const conn = await sql.reserve();
      if (!(await tryLock(conn, name))) {
        conn.release();
        throw new Error(`The lock ${name} is held by another process.`);
      }
      held.push(conn); // kept until the handle closes (or the process ends: the server frees it then)
    },
    close: async () => {
      for (const conn of held.splice(0)) conn.release();
      await sql.end({ timeout: 5 });
    },
  };
}

/** A session advisory lock named by text, on this connection, if nobody holds it. */
async function tryLock(conn: postgres.ReservedSql, name: string): Promise<boolean> {
  const [{ got }] = await conn<{ got: boolean }[]>`select pg_try_advisory_lock(hashtext(${name})) as got`;
  return got;
}
