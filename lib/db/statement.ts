import type { Statement } from "./types";

/**
 * One statement that runs `first` as a data-modifying WITH clause of `main`: both in one
 * statement (so in one transaction, and one round trip), `main`'s rows returned. `first`'s
 * placeholders are renumbered after `main`'s. Its writes are not visible to `main`'s reads,
 * but foreign keys are checked at the end of the statement, so `main` may refer to a row
 * `first` inserts.
 */
export function withFirst(first: Statement, main: Statement): Statement {
  const shift = main.params.length;
  const sql = first.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + shift}`);
  return { sql: `with first as (${sql}) ${main.sql}`, params: [...main.params, ...first.params] };
}
