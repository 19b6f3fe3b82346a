import "server-only";
import type { Identity } from "@/lib/auth";
import { withUser } from "@/lib/db";
import { recordAudit } from "@/lib/db/queries/audit";
import { ROSTER_ROLES, getRoster, setRoutedModels, updateRoster, type RosterRole } from "@/lib/db/queries/roster";
import { normalizeModel, sameModel } from "@/lib/domain";
import { AppError } from "@/lib/errors";
import { invalidateRosterCache } from "./current";

/** What an operator changes: tags for some roles (the embedding model among them), and/or the whole list of models routed without a role. */
export interface RoutingChange {
  roles?: Partial<Record<RosterRole, string>>;
  alsoRouted?: readonly string[];
}

export interface RoutingChanged {
  roles: { role: RosterRole; from: string; to: string }[];
  alsoRouted: { added: string[]; removed: string[] };
}

/**
 * Changes which models play the roles and which are routed without one, for Settings and
 * `PUT /api/routing` alike: operators only, in one transaction (the roles first, so a model
 * just moved off a role may be routed without one), audited, and announced to every
 * instance. A model that plays a role, or the embedding model, cannot also be routed
 * without a role: a `bad_request` naming it, and nothing is saved.
 */
export async function configureRouting(identity: Identity, change: RoutingChange): Promise<RoutingChanged> {
  if (!identity.isOperator) throw new AppError("forbidden:auth", "Only operators can change which models are routed.");
  const changed = await withUser(identity.claims, async (tx) => {
    const entries = ROSTER_ROLES.flatMap((role) => (change.roles?.[role] === undefined ? [] : [{ role, modelTag: change.roles[role] }]));
    const roles = entries.length ? await updateRoster(tx, { entries, by: identity.userId }) : [];
    if (roles.length) await recordAudit(tx, { actor: identity.userId, action: "roster.update", targetType: "model_roles", details: { changed: roles } });
    let alsoRouted: RoutingChanged["alsoRouted"] = { added: [], removed: [] };
    if (change.alsoRouted) {
      const tags = [...new Set(change.alsoRouted.map(normalizeModel))];
      const roster = await getRoster(tx);
      for (const tag of tags) {
        const role = roster.find((r) => sameModel(r.model_tag, tag))?.role;
        if (role) {
          throw new AppError(
            "bad_request:input",
            role === "embedding" ? `${tag} is the embedding model: it does not answer chats; nothing was saved.` : `${tag} already plays the ${role} role: it is routed; nothing was saved.`,
          );
        }
      }
      alsoRouted = await setRoutedModels(tx, { tags, by: identity.userId });
      if (alsoRouted.added.length || alsoRouted.removed.length) {
        await recordAudit(tx, { actor: identity.userId, action: "roster.routed_models", targetType: "routed_models", details: alsoRouted });
      }
    }
    return { roles, alsoRouted };
  });
  if (changed.roles.length || changed.alsoRouted.added.length || changed.alsoRouted.removed.length) invalidateRosterCache();
  return changed;
}
