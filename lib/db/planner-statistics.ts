import type { Database, Queryable } from "./types";

/**
 * The embedded database runs no autovacuum, so nothing ever takes the planner's statistics:
 * every table looks empty to it, however large it grows. The request path's nearest-neighbour
 * read of past outcomes then sorted the whole interactions table by distance instead of
 * walking the HNSW index (11.7 ms at 1,500 requests, growing with every request; 5.3 ms once
 * analysed). This does autovacuum's analyse step for PGlite: a table is analysed when it has
 * grown by a tenth, plus eight pages, since its statistics were taken (autovacuum's own
 * default is 10% plus 50 rows), judged from its size on disk (`pg_relation_size`, a file
 * size, against the page count the last ANALYZE recorded), so checking costs one cheap query.
 * Vector columns are left out of the sample: the planner keeps no useful statistics on them
 * and reading them is most of the work (3 KB each at 768 dimensions). A PostgreSQL server
 * does all this itself.
 */

/** How often the embedded server checks whether a table needs fresh statistics. */
export const CHECK_INTERVAL_MS = 60_000;

/** Tables (schema-qualified) whose statistics are stale; with the columns worth sampling. */
async function staleTables(db: Queryable): Promise<{ table: string; columns: string[] }[]> {
  const { rows } = await db.query<{ table: string; columns: string[] | null }>(
    `select format('%I.%I', n.nspname, c.relname) as table,
            (select array_agg(quote_ident(a.attname) order by a.attnum)
               from pg_attribute a
              where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                and a.atttypid not in (select t.oid from pg_type t where t.typname in ('vector', 'halfvec', 'sparsevec'))) as columns
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and n.nspname in ('public', 'private')
        and pg_relation_size(c.oid) / current_setting('block_size')::int > greatest(c.relpages, 0) * 1.1 + 8
      order by 1`,
  );
  return rows.map((r) => ({ table: r.table, columns: r.columns ?? [] }));
}

/** Analyses the tables that grew enough since their last statistics; returns their names. */
export async function refreshPlannerStatistics(db: Queryable): Promise<string[]> {
  const stale = await staleTables(db);
  for (const { table, columns } of stale) await db.exec(`analyze ${table}${columns.length ? ` (${columns.join(", ")})` : ""}`);
  return stale.map((s) => s.table);
}

const g = globalThis as unknown as { __elitePlannerStatistics?: NodeJS.Timeout };

/** For an embedded database: statistics now, then checked every minute (no-op on a server). */
export async function keepPlannerStatisticsCurrent(db: Database): Promise<void> {
  if (db.kind !== "pglite" || g.__elitePlannerStatistics) return;
  await refreshPlannerStatistics(db);
  g.__elitePlannerStatistics = setInterval(() => {
    refreshPlannerStatistics(db).catch((e) => console.error("refreshing planner statistics failed", e));
  }, CHECK_INTERVAL_MS);
  g.__elitePlannerStatistics.unref();
}
