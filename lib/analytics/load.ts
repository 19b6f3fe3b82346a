import "server-only";
import type { Identity } from "@/lib/auth";
import { withUser } from "@/lib/db";
import { currentRoster } from "@/lib/roster/current";
import { buildDashboard, type Dashboard } from "./dashboard";
import type { Filters } from "./filters";

/** The dashboard for a signed-in operator: RLS decides what the rollups show; routed models first (roster order, then those without a role). */
export async function loadDashboard(identity: Identity, filters: Filters): Promise<Dashboard> {
  const roster = await currentRoster();
  const preferredModels = roster.routed.map((r) => r.model);
  return withUser(identity.claims, (tx) => buildDashboard(tx, { filters, preferredModels }));
}
