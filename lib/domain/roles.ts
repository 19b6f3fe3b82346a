/** The five roles, the default Ollama tag of each, and how a role is named to people. Tags are configuration; roles are the domain. */
export const ROLES = ["router", "math", "lead_developer", "senior_developer", "architect"] as const;
export type Role = (typeof ROLES)[number];

export const DEFAULT_ROLE_MODELS: Readonly<Record<Role, string>> = {
  router: "openhermes",
  math: "mathstral",
  lead_developer: "deepseek-coder:6.7b",
  senior_developer: "codellama:7b-instruct",
  architect: "wizardcoder",
};

export const EMBEDDING_MODEL = { tag: "nomic-embed-text", dimensions: 768 } as const;

/** A roster row's role: one of the five, or the embedding model. */
export type RosterRole = Role | "embedding";

export const ROLE_LABELS: Readonly<Record<RosterRole, string>> = {
  router: "Router",
  math: "Math specialist",
  lead_developer: "Lead developer",
  senior_developer: "Senior developer",
  architect: "Architect",
  embedding: "Embeddings",
};

/** "Math specialist" for a known role, the raw value otherwise; lower-cased inside a sentence. */
export function roleLabel(role: string | null | undefined, opts: { inSentence?: boolean } = {}): string {
  if (!role) return "";
  const label = (ROLE_LABELS as Record<string, string>)[role] ?? role;
  return opts.inSentence ? label.toLowerCase() : label;
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Words that may follow a role's first word when people name it ("maths specialist", "senior dev", "the architect model"). */
const ROLE_NAME_TAIL = new Set(["specialist", "developer", "dev", "model"]);

/**
 * The role a person names: its id ("lead_developer"), its label ("Lead developer") or its first
 * word ("lead"), in any case, with "the" before it, "maths" for "math", and "specialist",
 * "developer", "dev" or "model" after it. Anything else (a sentence, another name) is no role.
 */
export function roleNamed(words: string): Role | null {
  const tokens = words.trim().toLowerCase().split(/[\s_-]+/).filter(Boolean);
  if (["the", "a", "an"].includes(tokens[0])) tokens.shift();
  if (tokens.length === 0 || !tokens.slice(1).every((t) => ROLE_NAME_TAIL.has(t))) return null;
  const first = tokens[0] === "maths" ? "math" : tokens[0];
  return ROLES.find((r) => r.split("_")[0] === first) ?? null;
}
