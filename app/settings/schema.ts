import { z } from "zod";
import { ROSTER_ROLES } from "@/lib/db/queries/roster";

/** An Ollama model tag: name, optional namespace and :tag, as `ollama pull` accepts. */
export const modelTagSchema = z
  .string()
  .trim()
  .min(1, "Enter a model tag, e.g. deepseek-coder:6.7b")
  .max(200)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._\-/]*(:[a-zA-Z0-9._\-]+)?$/, "Not an Ollama model tag (letters, digits, . _ - / and one :tag)");

export const rosterFormSchema = z.object(
  Object.fromEntries(ROSTER_ROLES.map((r) => [r, modelTagSchema])) as Record<(typeof ROSTER_ROLES)[number], typeof modelTagSchema>,
);

export type RosterFormState = { ok?: string; error?: string; fields?: Record<string, string> };
