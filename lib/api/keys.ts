import "server-only";
import type { Identity } from "@/lib/auth";
import { LOCAL_OPERATOR_CLAIMS, LOCAL_OPERATOR_ID } from "@/lib/auth/claims";
import { env } from "@/lib/config/env";
import type { Claims } from "@/lib/db/types";
import { asSystem } from "@/lib/db";
import { isOperatorUser } from "@/lib/db/queries/operators";
import { AppError } from "@/lib/errors";
import { bearerToken, hashApiKey, looksLikeApiKey } from "./key-format";
import { keyUser } from "./key-cache";

export { KEY_PREFIX, PREFIX_LENGTH, generateApiKey, hashApiKey, bearerToken, looksLikeApiKey } from "./key-format";

/**
 * Who a key's requests run as. Claims carry only what a key can vouch for: the user id and
 * the `authenticated` role, so RLS treats them as that user. In embedded mode every key
 * belongs to the local operator, who stays an operator. In Supabase mode a key cannot read
 * the user's app_metadata, so key users are plain users (isOperator false): the endpoints
 * need nothing more, except the operators' ones, which ask {@link asOperatorIfOne}.
 */
export function identityForKeyUser(userId: string, mode: "embedded" | "supabase"): Identity {
  if (mode === "embedded" && userId === LOCAL_OPERATOR_ID) {
    return { userId, email: LOCAL_OPERATOR_CLAIMS.email, claims: LOCAL_OPERATOR_CLAIMS, isOperator: true, source: "local" };
  }
  const claims: Claims = { sub: userId, role: "authenticated", aud: "authenticated", app_metadata: { provider: "api_key" } };
  return { userId, claims, isOperator: false, source: "supabase" };
}

/**
 * Authenticates a request by its bearer key: 401 (`unauthorized:api`) when the header is
 * missing, the key malformed, unknown or revoked. The lookup by hash (from memory, see
 * key-cache.ts) is the one step on the system path; everything after runs under the key
 * user's RLS identity.
 */
export async function identityFromRequest(request: Request): Promise<Identity> {
  const token = bearerToken(request.headers.get("authorization"));
  if (!token) {
    throw new AppError("unauthorized:api", "Missing API key: send `Authorization: Bearer <key>` (create a key on Settings → API keys).");
  }
  if (!looksLikeApiKey(token)) throw new AppError("unauthorized:api", "Invalid API key.");
  const userId = await keyUser(hashApiKey(token));
  if (!userId) throw new AppError("unauthorized:api", "Invalid or revoked API key.");
  return identityForKeyUser(userId, env().mode);
}

/**
 * For an operator endpoint: a key's user in Supabase mode as an operator when Supabase Auth
 * has them down as one now (lib/db/queries/operators.ts; one query per call, so a demoted
 * operator's key stops at once). Anyone else is returned as they came: a session's JWT says
 * its role itself, and the embedded local operator is one already.
 */
export async function asOperatorIfOne(identity: Identity): Promise<Identity> {
  if (identity.isOperator || env().mode !== "supabase" || identity.claims.app_metadata?.provider !== "api_key") return identity;
  if (!(await asSystem((tx) => isOperatorUser(tx, identity.userId)))) return identity;
  return { ...identity, claims: { ...identity.claims, app_metadata: { ...identity.claims.app_metadata, role: "operator" } }, isOperator: true };
}
