import type { Queryable } from "../types";

/** Postgres' "undefined_table": a database without Supabase Auth's tables. */
const UNDEFINED_TABLE = "42P01";

/**
 * Whether Supabase Auth has the user down as an operator now: `app_metadata.role` in
 * `auth.users`, which only the service role writes (a user's JWT carries a copy made at
 * sign-in). Run on the server's own connection. A database without Supabase Auth's tables has
 * no operators.
 */
export async function isOperatorUser(tx: Queryable, userId: string): Promise<boolean> {
  try {
    const { rows } = await tx.query<{ operator: boolean }>(
      `select coalesce((select raw_app_meta_data ->> 'role' = 'operator' from auth.users where id = $1::uuid), false) as operator`,
      [userId],
    );
    return rows[0]?.operator === true;
  } catch (e) {
    if ((e as { code?: string }).code === UNDEFINED_TABLE) return false;
    throw e;
  }
}
