/**
 * Whether there is knowledge to retrieve is remembered (lib/knowledge/presence.ts), so a
 * request asks the database nothing about it: a change to the entries made by another
 * instance (or by hand) reaches the memory through the database trigger's notification,
 * sooner than the memory's own lifetime (30 s for "yes").
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startOrchestrator } from "../support/orchestrator";
import { urlOf } from "../support/db";
import { openPostgres } from "../../lib/db/postgres";
import { knowledgeToRetrieve } from "../../lib/knowledge/presence";
import { announce, listeningForChanges, onChange } from "../../lib/db/changes";

let env: Awaited<ReturnType<typeof startOrchestrator>>;
beforeAll(async () => {
  env = await startOrchestrator();
});
afterAll(() => env?.close());

/** Asks until the answer is `want` (10 s at most, a third of the memory's lifetime). */
async function settlesOn(want: boolean): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  let seen = await knowledgeToRetrieve();
  while (seen !== want && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    seen = await knowledgeToRetrieve();
  }
  return seen;
}

/**
 * Resolves once every notification sent so far has reached this process: notifications come
 * in commit order, so when a marker sent now has arrived, so has everything before it.
 */
let marked: (() => void) | null = null;
const markerSeen = () => marked?.();
async function notificationsDelivered(): Promise<void> {
  await listeningForChanges();
  onChange("config", markerSeen);
  const seen = new Promise<void>((r) => (marked = r));
  await announce(env.db, { topic: "config" });
  await seen;
  marked = null;
}

describe("knowledge presence in memory", () => {
  it("follows entries added and withdrawn elsewhere, by notification", async () => {
    expect(await knowledgeToRetrieve()).toBe(false);
    await listeningForChanges(); // so the insert's notification is heard
    const url = urlOf(env.db);
    const other = url ? openPostgres(url, { max: 1 }) : env.db;
    try {
      await other.query(
        `insert into knowledge_base (topic, content, source, status, confidence, content_hash) values ('t', 'Raft elects a leader by votes.', 'user_feedback', 'active', 0.9, 'presence-1')`,
      );
      expect(await settlesOn(true)).toBe(true);
      expect(await knowledgeToRetrieve()).toBe(true); // remembered
      await other.query("update knowledge_base set status = 'rejected' where content_hash = 'presence-1'");
      expect(await settlesOn(false)).toBe(false); // a "yes" lives 30 s: only the notification can have ended it
    } finally {
      if (other !== env.db) await other.close();
    }
  });

  it("asks again without holding requests up: the remembered answer is given while the database is busy", async () => {
    // A change announced while the database is held would rightly make requests wait for it:
    // none may still be on its way from the test before.
    await notificationsDelivered();
    await knowledgeToRetrieve(); // remembered
    const g = globalThis as unknown as { __eliteKnowledgePresence?: { yes: boolean; at: number } };
    const remembered = g.__eliteKnowledgePresence!.yes;
    g.__eliteKnowledgePresence!.at -= 60_000; // past its lifetime, "yes" or "no"
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    // Nobody can read the entries while this transaction holds them.
    const holder = env.db.transaction(async (tx) => {
      await tx.exec("lock table knowledge_base in access exclusive mode");
      locked();
      await gate;
    });
    await isLocked;
    try {
      // Before: each of these waited for the database; now they are answered from memory.
      const answers = await Promise.all(Array.from({ length: 20 }, () => knowledgeToRetrieve()));
      expect(answers).toEqual(Array(20).fill(remembered));
    } finally {
      open();
      await holder;
    }
    // The one question asked meanwhile lands: the answer is fresh again.
    await settlesOn(remembered);
    await vi.waitFor(() => expect(Date.now() - g.__eliteKnowledgePresence!.at).toBeLessThan(30_000), { timeout: 10_000 });
  });
});
