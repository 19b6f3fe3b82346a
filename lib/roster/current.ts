import "server-only";
import { asSystem } from "@/lib/db";
import { announceCommitted, onChange } from "@/lib/db/changes";
import { getRoster } from "@/lib/db/queries/roster";
import { rosterFromRows, type Roster } from "@/lib/domain";

const g = globalThis as unknown as { __eliteRoster?: { at: number; value: Promise<Roster> } };

const forget = () => (g.__eliteRoster = undefined);

/**
 * The role → tag mapping from the database, cached a few seconds; a change in Settings
 * clears it in every instance at once (a "roster" change notification).
 */
export function currentRoster(): Promise<Roster> {
  onChange("roster", forget);
  const hit = g.__eliteRoster;
  if (hit && Date.now() - hit.at < 5000) return hit.value;
  const value = asSystem(getRoster).then(rosterFromRows);
  value.catch(() => (g.__eliteRoster = undefined));
  g.__eliteRoster = { at: Date.now(), value };
  return value;
}

/** After the roster changed: forget it here and in every other instance. */
export function invalidateRosterCache(): void {
  forget();
  announceCommitted({ topic: "roster" });
}
