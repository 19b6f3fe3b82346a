import "server-only";
import { asSystem } from "@/lib/db";
import { announceCommitted, onChange } from "@/lib/db/changes";
import { getRoster, getRoutedModels } from "@/lib/db/queries/roster";
import { rosterFromRows, type Roster } from "@/lib/domain";
import { refreshing } from "@/lib/refreshing";

const roster = refreshing("__eliteRoster", () => asSystem(async (tx) => rosterFromRows(await getRoster(tx), await getRoutedModels(tx))), { freshMs: 5000 });
const forget = () => roster.forget();

/**
 * The role → tag mapping (and the models routed without a role) from the database, kept in memory: a change in Settings clears it
 * in every instance at once (a "roster" change notification). After 5 s it is re-read in the
 * background while requests go on with the last one (the safety net for a missed
 * notification); only the first read, or one after a change, waits for the database.
 */
export function currentRoster(): Promise<Roster> {
  onChange("roster", forget);
  return roster.get();
}

/** After the roster changed: forget it here and in every other instance. */
export function invalidateRosterCache(): void {
  forget();
  announceCommitted({ topic: "roster" });
}
