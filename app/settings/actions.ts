"use server";
import { revalidatePath } from "next/cache";
import { requireOperator } from "@/lib/auth";
import { withUser } from "@/lib/db";
import { ROSTER_ROLES, updateRoster } from "@/lib/db/queries/roster";
import { recordAudit } from "@/lib/db/queries/audit";
import { AppError } from "@/lib/errors";
import { invalidateRosterCache } from "@/lib/orchestrator/roster";
import { rosterFormSchema, type RosterFormState } from "./schema";

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
  const entries = ROSTER_ROLES.map((role) => ({ role, modelTag: parsed.data[role] }));
  const changed = await withUser(identity.claims, async (tx) => {
    const changed = await updateRoster(tx, { entries, by: identity.userId });
    if (changed.length) {
      await recordAudit(tx, { actor: identity.userId, action: "roster.update", targetType: "model_roles", details: { changed } });
    }
    return changed;
  });
  invalidateRosterCache();
  revalidatePath("/settings");
  return { ok: changed.length ? `Saved: ${changed.map((c) => `${c.role} → ${c.to}`).join(", ")}.` : "Nothing changed." };
}
