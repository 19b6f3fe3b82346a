import "server-only";
import { asSystem } from "@/lib/db";
import { getRoster } from "@/lib/db/queries/roster";
import { DEFAULT_ROLE_MODELS, EMBEDDING_MODEL, ROLES, type Role } from "./domain";

export interface Roster {
  roles: Record<Role, string>;
  embedding: string;
  roleOf(model: string): Role | null;
}

const g = globalThis as unknown as { __eliteRoster?: { at: number; value: Promise<Roster> } };

/** The role → tag mapping from the database (cached a few seconds; Settings invalidates it). */
export function currentRoster(): Promise<Roster> {
  const hit = g.__eliteRoster;
  if (hit && Date.now() - hit.at < 5000) return hit.value;
  const value = asSystem(getRoster).then((rows) => {
    const roles = { ...DEFAULT_ROLE_MODELS } as Record<Role, string>;
    let embedding: string = EMBEDDING_MODEL.tag;
    for (const r of rows) {
      if (r.role === "embedding") embedding = r.model_tag;
      else roles[r.role as Role] = r.model_tag;
    }
    return { roles, embedding, roleOf: (model: string) => ROLES.find((role) => sameModel(roles[role], model)) ?? null };
  });
  value.catch(() => (g.__eliteRoster = undefined));
  g.__eliteRoster = { at: Date.now(), value };
  return value;
}

export function invalidateRosterCache(): void {
  g.__eliteRoster = undefined;
}

/** `openhermes` and `openhermes:latest` name the same model. */
export function sameModel(a: string, b: string): boolean {
  const norm = (m: string) => (m.includes(":") ? m : `${m}:latest`);
  return norm(a) === norm(b);
}
