import { storableText } from "@/lib/domain";
import { z } from "zod";
import { ROSTER_ROLES } from "@/lib/db/queries/roster";
import { MAX_ALSO_ROUTED, modelTagSchema } from "@/lib/roster/model-tag-schema";

export const rosterFormSchema = z.object(
  Object.fromEntries(ROSTER_ROLES.map((r) => [r, modelTagSchema])) as Record<(typeof ROSTER_ROLES)[number], typeof modelTagSchema>,
);

export type RosterFormState = { ok?: string; error?: string; fields?: Record<string, string> };

/** The models routed without a role: the tags ticked (none: routing stays with the roster). */
export const routedModelsFormSchema = z.object({ model: z.array(modelTagSchema).max(MAX_ALSO_ROUTED, `${MAX_ALSO_ROUTED} models at most`) });

/** A new API key: the name the user will recognise it by. */
export const apiKeyCreateSchema = z.object({
  name: storableText().trim().min(1, "Give the key a name, e.g. the editor that will use it").max(100, "100 characters at most"),
});
export const apiKeyRevokeSchema = z.object({ id: z.uuid("Not a key id") });

/** `secret` is in the state once, right after creation, and never again. */
export type ApiKeyFormState = { ok?: string; error?: string; secret?: string; prefix?: string };
