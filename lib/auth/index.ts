import "server-only";
import { connection } from "next/server";
import { env } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import type { Claims } from "@/lib/db/types";
import { claimsFromVerifiedJwt, isOperator, LOCAL_OPERATOR_CLAIMS } from "./claims";

export interface Identity {
  userId: string;
  email?: string;
  claims: Claims;
  isOperator: boolean;
  /** embedded: the local operator, no login; supabase: a verified Supabase Auth user. */
  source: "local" | "supabase";
}

/** Who is asking: verified claims (never getSession), or null when nobody is signed in. */
export async function getIdentity(): Promise<Identity | null> {
  await connection(); // identity is per request: never prerender what depends on it
  if (env().mode === "embedded") {
    return {
      userId: LOCAL_OPERATOR_CLAIMS.sub,
      email: LOCAL_OPERATOR_CLAIMS.email,
      claims: LOCAL_OPERATOR_CLAIMS,
      isOperator: true,
      source: "local",
    };
  }
  const { createSupabaseServerClient } = await import("./supabase/server");
  const supabase = await createSupabaseServerClient();
  const { data, error } = await supabase.auth.getClaims();
  if (error || !data?.claims) return null;
  const claims = claimsFromVerifiedJwt(data.claims);
  if (!claims || claims.role !== "authenticated") return null;
  return { userId: claims.sub, email: claims.email, claims, isOperator: isOperator(claims), source: "supabase" };
}

/** Authenticate: a signed-in user, or an `unauthorized:auth` error. */
export async function requireUser(): Promise<Identity> {
  const identity = await getIdentity();
  if (!identity) throw new AppError("unauthorized:auth");
  return identity;
}

/** Authenticate, then authorise as an operator, or a `forbidden:auth` error. */
export async function requireOperator(): Promise<Identity> {
  const identity = await requireUser();
  if (!identity.isOperator) throw new AppError("forbidden:auth", "Only operators can do this.");
  return identity;
}
