import type { Queryable, Statement } from "./types";

/** Runs statements one after another on q; each one's rows, in order. */
export async function runStatements(q: Queryable, statements: readonly Statement[]): Promise<{ rows: Record<string, unknown>[] }[]> {
  const out: { rows: Record<string, unknown>[] }[] = [];
  for (const s of statements) out.push({ rows: (await q.query(s.sql, s.params)).rows });
  return out;
}
