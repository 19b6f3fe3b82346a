import type { Claims, Database, Queryable } from "./types";

/**
 * Runs fn inside a transaction as PostgREST would for a request with these verified claims:
 * `set local role` to the claims' role and `request.jwt.claims` for auth.uid()/auth.jwt().
 * Both are transaction-local, so nothing leaks to the next user of a pooled connection.
 * `null` claims run as `anon`.
 */
export async function withClaims<T>(
  db: Database,
  claims: Claims | null,
  fn: (tx: Queryable) => Promise<T>,
): Promise<T> {
  const role = claims?.role === "authenticated" ? "authenticated" : "anon";
  return db.transaction(async (tx) => {
    // The role is one of two literals, never user text; the claims travel as a parameter.
    await tx.exec(`set local role ${role}`);
    await tx.query("select set_config('request.jwt.claims', $1, true)", [
      JSON.stringify(claims ?? { role: "anon" }),
    ]);
    return fn(tx);
  });
}
