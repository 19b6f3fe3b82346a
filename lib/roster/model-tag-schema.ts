import { z } from "zod";

/** An Ollama model tag: name, optional namespace and :tag, as `ollama pull` accepts. */
export const modelTagSchema = z
  .string()
  .trim()
  .min(1, "Enter a model tag, e.g. deepseek-coder:6.7b")
  .max(200)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._\-/]*(:[a-zA-Z0-9._\-]+)?$/, "Not an Ollama model tag (letters, digits, . _ - / and one :tag)");

/** At most this many models routed without a role. */
export const MAX_ALSO_ROUTED = 50;
