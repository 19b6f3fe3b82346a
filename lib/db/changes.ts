import "server-only";
import { getDb } from "./index";
import type { Queryable } from "./types";

/**
 * Changes announced to every app instance on the database (NOTIFY on one channel; delivered
 * when the announcing transaction commits, to the announcer too). Each instance keeps its
 * caches current from them; the caches' own short lifetimes are the safety net for a
 * notification missed while a connection was down.
 */
export const CHANGES_CHANNEL = "elite_changes";

export type Change =
  /** A learning state row after an update, with its data (rev orders copies). */
  | { topic: "learning"; kind: "performance" | "parameters" | "fallback" | "classification"; model: string | null; taskType: string | null; data: Record<string, unknown> | null }
  | { topic: "roster" }
  /** routing patterns or their members changed (sent by a trigger in the database) */
  | { topic: "patterns" }
  | { topic: "config" }
  /** an API key was revoked or deleted (sent by a trigger in the database) */
  | { topic: "keys" }
  /** knowledge entries were added, changed or removed (sent by a trigger in the database) */
  | { topic: "knowledge" };

/** NOTIFY's payload limit is 8000 bytes; a bigger learning row travels as "reload it". */
const MAX_PAYLOAD = 7900;

export async function announce(tx: Queryable, change: Change): Promise<void> {
  let payload = JSON.stringify(change);
  if (payload.length > MAX_PAYLOAD && change.topic === "learning") payload = JSON.stringify({ ...change, data: null });
  await tx.query("select pg_notify($1, $2)", [CHANGES_CHANNEL, payload]);
}

/** Announces a change outside any transaction (after it committed); errors are logged. */
export function announceCommitted(change: Change): void {
  void getDb()
    .then((db) => announce(db, change))
    .catch((e) => console.error("announcing a change failed", e));
}

type Handler = (change: Change) => void;
const g = globalThis as unknown as { __eliteChangeHandlers?: Map<string, Set<Handler>>; __eliteChangesListening?: Promise<void>; __eliteChangesDb?: unknown };

function dispatch(payload: string): void {
  let change: Change;
  try {
    change = JSON.parse(payload) as Change;
  } catch {
    return; // not ours
  }
  for (const h of g.__eliteChangeHandlers?.get(change.topic) ?? []) {
    try {
      h(change);
    } catch (e) {
      console.error("change handler failed", e);
    }
  }
}

/** Calls handler for every change of topic from now on, in this process. */
export function onChange<T extends Change["topic"]>(topic: T, handler: (change: Extract<Change, { topic: T }>) => void): void {
  const handlers = (g.__eliteChangeHandlers ??= new Map());
  const set = handlers.get(topic) ?? new Set<Handler>();
  if (set.has(handler as Handler)) return;
  set.add(handler as Handler);
  handlers.set(topic, set);
  void listeningForChanges();
}

/** What every cache hears when notifications may have been missed: each topic, "anything may have changed". */
const EVERYTHING: Change[] = [
  { topic: "learning", kind: "performance", model: null, taskType: null, data: null }, // data null: re-read it
  { topic: "roster" },
  { topic: "patterns" },
  { topic: "config" },
  { topic: "keys" },
  { topic: "knowledge" },
];

/** After the listening connection came back: every cache forgets (or re-reads) what it holds. */
export function resyncAll(): void {
  for (const change of EVERYTHING) dispatch(JSON.stringify(change));
}

/**
 * Listens on the process's database (again when the process switched databases, as tests
 * do). Resolves once listening; failures are logged and the caches' lifetimes take over.
 * When the listening connection drops and comes back, the notifications sent meanwhile were
 * missed: every cache is told to forget what it holds (resyncAll).
 */
export function listeningForChanges(): Promise<void> {
  g.__eliteChangesListening = (g.__eliteChangesListening ?? Promise.resolve()).then(async () => {
    const db = await getDb();
    if (g.__eliteChangesDb === db) return;
    await db.listen(CHANGES_CHANNEL, dispatch, () => {
      console.warn("the database's change notifications were interrupted; caches re-read");
      resyncAll();
    });
    g.__eliteChangesDb = db;
  }).catch((e) => console.error("listening for changes failed; caches fall back to their lifetimes", e));
  return g.__eliteChangesListening;
}
