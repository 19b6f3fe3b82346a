import postgres from "postgres";
import type { Database, Queryable } from "./types";

/** Any Postgres with pgvector (Supabase included), through postgres.js. */
export function openPostgres(url: string, opts: { max?: number } = {}): Database {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    prepare: false, // works behind Supabase's transaction pooler too
    onnotice: () => {},
    connection: { search_path: '"$user", public, extensions' },
  });
  const wrap = (q: postgres.Sql | postgres.TransactionSql): Queryable => ({
    async query<T>(text: string, params: unknown[] = []) {
      const rows = await q.unsafe(text, params as postgres.ParameterOrJSON<never>[]);
      return { rows: rows as unknown as T[] };
    },
    async exec(text: string) {
      await q.unsafe(text);
    },
  });
  return {
    kind: "postgres",
    ...wrap(sql),
    transaction: (fn) => sql.begin((tx) => fn(wrap(tx))) as ReturnType<typeof fn>,
    close: () => sql.end({ timeout: 5 }),
  };
}
