import "server-only";
import type { Identity } from "@/lib/auth";
import { withUser } from "@/lib/db";
import { currentRoster } from "@/lib/roster/current";
import { buildDashboard, type Dashboard } from "./dashboard";
import type { Filters } from "./filters";

/**
 * The dashboard for a signed-in operator: RLS decides what the rollups show; routed models
 * first (roster order, then those without a role). `routingValue: false` leaves out what
 * learned routing is worth against each model (a model's own page does not show it).
 */
export async function loadDashboard(identity: Identity, filters: Filters, { routingValue = true }: { routingValue?: boolean } = {}): Promise<Dashboard> {
  const roster = await currentRoster();
  const preferredModels = roster.routed.map((r) => r.model);
  return withUser(identity.claims, (tx) => buildDashboard(tx, { filters, preferredModels, routingValue }));
}
