import { sameModel } from "./model-tag";
import { DEFAULT_ROLE_MODELS, EMBEDDING_MODEL, ROLES, isRole, type Role } from "./roles";

/** Which model plays each role, the embedding model, and the models routed without a role. */
export interface Roster {
  roles: Record<Role, string>;
  embedding: string;
  /** installed chat models an operator added to routing that play no role (no role prior, no role prompt) */
  alsoRouted: readonly string[];
  roleOf(model: string): Role | null;
}

/** A model the router may choose, with the role it plays (null: none). */
export interface RoutedModel {
  model: string;
  role: Role | null;
}

/** A roster from its rows (role, tag); roles without a row keep their default model. */
export function rosterFromRows(rows: readonly { role: string; model_tag: string }[], alsoRouted: readonly string[] = []): Roster {
  const roles = { ...DEFAULT_ROLE_MODELS } as Record<Role, string>;
  let embedding: string = EMBEDDING_MODEL.tag;
  for (const r of rows) {
    if (r.role === "embedding") embedding = r.model_tag;
    else if (isRole(r.role)) roles[r.role] = r.model_tag;
  }
  return { roles, embedding, alsoRouted, roleOf: (model: string) => ROLES.find((role) => sameModel(roles[role], model)) ?? null };
}

/**
 * Every model the router may choose: the roles' models (in role order, a model playing two
 * roles once, with its first role), then the models routed without a role that are neither
 * a role's model nor the embedding model.
 */
export function routedModels(roster: Roster): RoutedModel[] {
  const out: RoutedModel[] = [];
  const has = (m: string) => out.some((x) => sameModel(x.model, m));
  for (const role of ROLES) if (!has(roster.roles[role])) out.push({ model: roster.roles[role], role });
  for (const m of roster.alsoRouted) if (!has(m) && !sameModel(m, roster.embedding)) out.push({ model: m, role: null });
  return out;
}

/** True when the router may choose `model` (a role's model or one routed without a role). */
export function isRoutedModel(roster: Roster, model: string): boolean {
  return routedModels(roster).some((x) => sameModel(x.model, model));
}
