import "server-only";
import { asSystem } from "@/lib/db";
import { announceCommitted, onChange } from "@/lib/db/changes";
import { getRoster } from "@/lib/db/queries/roster";
import { rosterFromRows, type Roster } from "@/lib/domain";

const g = globalThis as unknown as { __eliteRoster?: { at: number; value: Promise<Roster>; settled?: Roster; refreshing?: boolean } };

const forget = () => (g.__eliteRoster = undefined);

/**
 * The role → tag mapping from the database, kept in memory: a change in Settings clears it
 * in every instance at once (a "roster" change notification). After 5 s it is re-read in the
 * background while requests go on with the last one (the safety net for a missed
 * notification); only the first read, or one after a change, waits for the database.
 */
export function currentRoster(): Promise<Roster> {
  onChange("roster", forget);
  const hit = g.__eliteRoster;
  if (hit && Date.now() - hit.at < 5000) return hit.value;
  if (hit?.settled) {
    if (!hit.refreshing) {
      hit.refreshing = true;
      const next = asSystem(getRoster).then(rosterFromRows);
      next.then(
        (r) => void (g.__eliteRoster === hit && (g.__eliteRoster = { at: Date.now(), value: next, settled: r })),
        () => void (hit.refreshing = false),
      );
    }
    return Promise.resolve(hit.settled);
  }
  const value = asSystem(getRoster).then(rosterFromRows);
  const entry: NonNullable<typeof g.__eliteRoster> = { at: Date.now(), value };
  value.then(
    (r) => void (entry.settled = r),
    () => void (g.__eliteRoster === entry && (g.__eliteRoster = undefined)),
  );
  g.__eliteRoster = entry;
  return value;
}

/** After the roster changed: forget it here and in every other instance. */
export function invalidateRosterCache(): void {
  forget();
  announceCommitted({ topic: "roster" });
}
