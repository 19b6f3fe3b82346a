import { sameModel } from "./model-tag";
import { DEFAULT_ROLE_MODELS, EMBEDDING_MODEL, ROLES, isRole, type Role } from "./roles";

/** Which model plays each role, the embedding model, and every model the router may choose. */
export interface Roster {
  roles: Record<Role, string>;
  embedding: string;
  /**
   * Every model the router may choose: the roles' models (in role order, a model playing two
   * roles once, with its first role), then the installed chat models an operator added to
   * routing without a role (no role prior, no role prompt) that are neither a role's model nor
   * the embedding model. Worked out once, when the roster is read.
   */
  routed: readonly RoutedModel[];
  roleOf(model: string): Role | null;
}

/** A model the router may choose, with the role it plays (null: none). */
export interface RoutedModel {
  model: string;
  role: Role | null;
}

/** A roster from its rows (role, tag) and the models routed without a role; roles without a row keep their default model. */
export function rosterFromRows(rows: readonly { role: string; model_tag: string }[], alsoRouted: readonly string[] = []): Roster {
  const roles = { ...DEFAULT_ROLE_MODELS } as Record<Role, string>;
  let embedding: string = EMBEDDING_MODEL.tag;
  for (const r of rows) {
    if (r.role === "embedding") embedding = r.model_tag;
    else if (isRole(r.role)) roles[r.role] = r.model_tag;
  }
  const routed: RoutedModel[] = [];
  const has = (m: string) => routed.some((x) => sameModel(x.model, m));
  for (const role of ROLES) if (!has(roles[role])) routed.push({ model: roles[role], role });
  for (const m of alsoRouted) if (!has(m) && !sameModel(m, embedding)) routed.push({ model: m, role: null });
  return { roles, embedding, routed, roleOf: (model: string) => ROLES.find((role) => sameModel(roles[role], model)) ?? null };
}

/** True when the router may choose `model` (a role's model or one routed without a role). */
export function isRoutedModel(roster: Roster, model: string): boolean {
  return roster.routed.some((x) => sameModel(x.model, model));
}
