import "server-only";
import type { Identity } from "@/lib/auth";
import { withUser } from "@/lib/db";
import { currentRoster } from "@/lib/roster/current";
import { ROLES } from "@/lib/domain";
import { buildDashboard, type Dashboard } from "./dashboard";
import type { Filters } from "./filters";

/** The dashboard for a signed-in operator: RLS decides what the rollups show; roster order first. */
export async function loadDashboard(identity: Identity, filters: Filters): Promise<Dashboard> {
  const roster = await currentRoster();
  const preferredModels = ROLES.map((r) => roster.roles[r]);
  return withUser(identity.claims, (tx) => buildDashboard(tx, { filters, preferredModels }));
}
