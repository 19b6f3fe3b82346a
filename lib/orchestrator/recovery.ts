import "server-only";
import os from "node:os";
import { randomUUID } from "node:crypto";
import { asSystem, getDb } from "@/lib/db";
import { instancesWithStartedInteractions, interruptStartedBy } from "@/lib/db/queries/interactions";

/**
 * Crash recovery. Every app instance has an id, written on the interactions it answers, and
 * holds an advisory lock named after it for as long as its process lives. An interaction
 * still `started` whose instance's lock is free was left by a process that died (SIGKILL,
 * power loss, OOM): it becomes `interrupted`, keeping the text checkpointed while it streamed.
 * Checked at start and every minute (an instance can die while others live on).
 * An embedded database has one process by construction: every other id is dead.
 */
const SWEEP_MS = 60_000;
const g = globalThis as unknown as { __eliteInstance?: { id: string; held?: Promise<void>; timer?: NodeJS.Timeout } };

function self() {
  g.__eliteInstance ??= { id: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}` };
  return g.__eliteInstance;
}

export function instanceId(): string {
  return self().id;
}

const lockName = (id: string | null) => `instance:${id ?? ""}`;

/** Takes this instance's lock (once per process), before it answers anything. */
export function holdInstanceLock(): Promise<void> {
  const me = self();
  me.held ??= getDb().then((db) => db.holdLock(lockName(me.id)));
  return me.held;
}

/** Marks what dead instances left `started` as interrupted; returns how many interactions. */
export async function recoverInterrupted(): Promise<number> {
  const db = await getDb();
  const others = await asSystem((tx) => instancesWithStartedInteractions(tx, { except: instanceId() }));
  let n = 0;
  for (const id of others) {
    // The lock is free only when that instance is gone; while taken here, it cannot come back.
    n += (await db.exclusively(lockName(id), () => asSystem((tx) => interruptStartedBy(tx, { instanceId: id })))) ?? 0;
  }
  return n;
}

/** At start (after holdInstanceLock; resolves after the first sweep), then every minute. */
export async function startRecovery(): Promise<void> {
  const me = self();
  if (me.timer) return;
  const sweep = () =>
    recoverInterrupted()
      .then((n) => void (n && console.log(`Marked ${n} interaction(s) interrupted: their server stopped while answering.`)))
      .catch((e) => console.error("crash recovery failed", e));
  me.timer = setInterval(sweep, SWEEP_MS);
  me.timer.unref();
  await sweep();
}
