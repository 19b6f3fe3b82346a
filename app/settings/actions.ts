"use server";
import { enforceRateLimit } from "@/lib/auth/rate-limit";
import { revalidatePath } from "next/cache";
import { requireOperator, requireUser } from "@/lib/auth";
import { generateApiKey } from "@/lib/api/keys";
import { createApiKey, revokeApiKey } from "@/lib/db/queries/api-keys";
import { forgetKeys } from "@/lib/api/key-cache";
import { withUser } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { configureRouting } from "@/lib/roster/configure-routing";
import { apiKeyCreateSchema, apiKeyRevokeSchema, rosterFormSchema, routedModelsFormSchema, type ApiKeyFormState, type RosterFormState } from "./schema";

/** Operators map roles to the Ollama tags they have pulled. */
export async function saveRoster(_prev: RosterFormState, form: FormData): Promise<RosterFormState> {
  let identity;
  try {
    identity = await requireOperator();
  } catch (e) {
    return { error: e instanceof AppError ? e.message : "Not allowed." };
  }
  const parsed = rosterFormSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    return {
      error: "Some tags are not valid; nothing was saved.",
      fields: Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message])),
    };
  }
  const { roles } = await configureRouting(identity, { roles: parsed.data });
  revalidatePath("/settings");
  return { ok: roles.length ? `Saved: ${roles.map((c) => `${c.role} → ${c.to}`).join(", ")}.` : "Nothing changed." };
}

/**
 * Operators choose which installed models the router may also send requests to, without a
 * role: the ticked tags replace the list. A model that plays a role is routed already and
 * the embedding model does not chat: both are refused, and nothing is saved.
 */
export async function saveRoutedModels(_prev: RosterFormState, form: FormData): Promise<RosterFormState> {
  let identity;
  try {
    identity = await requireOperator();
  } catch (e) {
    return { error: e instanceof AppError ? e.message : "Not allowed." };
  }
  const parsed = routedModelsFormSchema.safeParse({ model: form.getAll("model") });
  if (!parsed.success) return { error: `${parsed.error.issues[0].message}; nothing was saved.` };
  let added: string[];
  let removed: string[];
  try {
    ({ added, removed } = (await configureRouting(identity, { alsoRouted: parsed.data.model })).alsoRouted);
  } catch (e) {
    if (e instanceof AppError && e.kind === "bad_request") return { error: e.message };
    throw e;
  }
  revalidatePath("/settings");
  if (!added.length && !removed.length) return { ok: "Nothing changed." };
  return { ok: [added.length ? `Now routed: ${added.join(", ")}.` : "", removed.length ? `No longer routed: ${removed.join(", ")}.` : ""].filter(Boolean).join(" ") };
}

/** Creates an API key for the signed-in user; the secret is returned once and only its hash is stored. */
export async function createApiKeyAction(_prev: ApiKeyFormState, form: FormData): Promise<ApiKeyFormState> {
  let identity;
  try {
    identity = await requireUser();
  } catch (e) {
    return { error: e instanceof AppError ? e.message : "Not allowed." };
  }
  const parsed = apiKeyCreateSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { error: parsed.error.issues[0].message };
  try {
    await enforceRateLimit(identity.userId, "api_key", { surface: "auth" });
  } catch (e) {
    return { error: e instanceof AppError ? e.message : "Not allowed." };
  }
  const key = generateApiKey();
  await withUser(identity.claims, (tx) => createApiKey(tx, { name: parsed.data.name, prefix: key.prefix, keyHash: key.hash }));
  revalidatePath("/settings");
  return { ok: `Created “${parsed.data.name}”. Copy the key now: it is shown only once.`, secret: key.secret, prefix: key.prefix };
}

/** Revokes one of the signed-in user's API keys (RLS: only their own). */
export async function revokeApiKeyAction(_prev: ApiKeyFormState, form: FormData): Promise<ApiKeyFormState> {
  let identity;
  try {
    identity = await requireUser();
  } catch (e) {
    return { error: e instanceof AppError ? e.message : "Not allowed." };
  }
  const parsed = apiKeyRevokeSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { error: parsed.error.issues[0].message };
  const row = await withUser(identity.claims, (tx) => revokeApiKey(tx, { id: parsed.data.id }));
  if (!row) return { error: "That key does not exist (or is not yours)." };
  forgetKeys(); // at once here; the database's trigger tells the other instances
  revalidatePath("/settings");
  return { ok: `Revoked ${row.prefix}… (“${row.name}”).` };
}
