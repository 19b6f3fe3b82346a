import { z } from "zod";
import type { Claims } from "@/lib/db/types";

/**
 * The verified JWT payload (from Supabase Auth's getClaims) → the claims our database
 * session runs under. Anything unexpected is refused rather than guessed.
 */
const verifiedClaimsSchema = z
  .object({
    sub: z.uuid(),
    role: z.enum(["authenticated", "anon"]),
    email: z.string().optional(),
    aud: z.union([z.string(), z.array(z.string())]).optional(),
    exp: z.number().optional(),
    app_metadata: z.record(z.string(), z.unknown()).optional(),
    user_metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

export function claimsFromVerifiedJwt(payload: unknown): Claims | null {
  const parsed = verifiedClaimsSchema.safeParse(payload);
  if (!parsed.success) return null;
  const p = parsed.data;
  return {
    ...p,
    sub: p.sub,
    role: p.role,
    email: p.email,
    app_metadata: (p.app_metadata ?? {}) as Claims["app_metadata"],
    user_metadata: p.user_metadata ?? {},
  };
}

export function isOperator(claims: Claims | null | undefined): boolean {
  return claims?.role === "authenticated" && claims.app_metadata?.role === "operator";
}

/** Embedded mode: one local operator, no login, the same RLS path with a fixed identity. */
export const LOCAL_OPERATOR_ID = "00000000-0000-4000-8000-000000000001";
export const LOCAL_OPERATOR_CLAIMS: Claims = {
  sub: LOCAL_OPERATOR_ID,
  role: "authenticated",
  aud: "authenticated",
  email: "operator@localhost",
  app_metadata: { role: "operator", provider: "local" },
  user_metadata: { name: "Local operator" },
};
