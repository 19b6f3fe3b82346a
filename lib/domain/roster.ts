import { sameModel } from "./model-tag";
import { DEFAULT_ROLE_MODELS, EMBEDDING_MODEL, ROLES, isRole, type Role } from "./roles";

/** Which model plays each role, and the embedding model. */
export interface Roster {
  roles: Record<Role, string>;
  embedding: string;
  roleOf(model: string): Role | null;
}

/** A roster from its rows (role, tag); roles without a row keep their default model. */
export function rosterFromRows(rows: readonly { role: string; model_tag: string }[]): Roster {
  const roles = { ...DEFAULT_ROLE_MODELS } as Record<Role, string>;
  let embedding: string = EMBEDDING_MODEL.tag;
  for (const r of rows) {
    if (r.role === "embedding") embedding = r.model_tag;
    else if (isRole(r.role)) roles[r.role] = r.model_tag;
  }
  return { roles, embedding, roleOf: (model: string) => ROLES.find((role) => sameModel(roles[role], model)) ?? null };
}

