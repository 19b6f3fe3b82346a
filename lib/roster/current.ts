import "server-only";
import { asSystem } from "@/lib/db";
import { getRoster } from "@/lib/db/queries/roster";
import { rosterFromRows, type Roster } from "@/lib/domain";

const g = globalThis as unknown as { __eliteRoster?: { at: number; value: Promise<Roster> } };

/** The role → tag mapping from the database (cached a few seconds; Settings invalidates it). */
export function currentRoster(): Promise<Roster> {
  const hit = g.__eliteRoster;
  if (hit && Date.now() - hit.at < 5000) return hit.value;
  const value = asSystem(getRoster).then(rosterFromRows);
  value.catch(() => (g.__eliteRoster = undefined));
  g.__eliteRoster = { at: Date.now(), value };
  return value;
}

export function invalidateRosterCache(): void {
  g.__eliteRoster = undefined;
}
