/**
 * Crash recovery: interactions that a dead instance left `started` become `interrupted` with
 * the text checkpointed while they streamed; a live instance's are left alone; the chat shows
 * them as interrupted and the dashboard counts them apart. (The e2e suite kills a real server.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, OPERATOR, USER_A, urlOf, userClaims } from "../support/db";
import { asSystem, useDatabase, type Database } from "../../lib/db";
import { openPostgres } from "../../lib/db/postgres";
import { withClaims } from "../../lib/db/session";
import { createConversation } from "../../lib/db/queries/conversations";
import { checkpointInteraction, getInteraction, startInteraction } from "../../lib/db/queries/interactions";
import { instanceId, recoverInterrupted } from "../../lib/orchestrator/recovery";
import { turnFromRow } from "../../lib/chat/load";
import { buildDashboard } from "../../lib/analytics/dashboard";

let db: Database;
beforeAll(async () => {
  db = await createTestDb();
  useDatabase(db);
});
afterAll(() => db?.close());

async function started(instance: string | null, partial?: string) {
  const conv = await withClaims(db, userClaims(USER_A), (tx) => createConversation(tx, { title: "t" }));
  const { id } = await asSystem((tx) =>
    startInteraction(tx, { conversationId: conv.id, userId: USER_A, prompt: "Explain B-trees", taskType: "explanation", routingDecision: { model: "m" }, modelUsed: "m", instanceId: instance }),
  );
  if (partial !== undefined) await asSystem((tx) => checkpointInteraction(tx, { id, response: partial }));
  return id;
}

describe("crash recovery", () => {
  it("marks what dead instances left started as interrupted, keeping the checkpointed text; its own and live instances' stay", async () => {
    const dead = await started("host:4242:deadbeef", "A B-tree keeps keys sorted in wide nodes");
    const legacy = await started(null); // written before instances had ids: nobody answers it any more
    const mine = await started(instanceId(), "still streaming here");
    // A live instance: on the server, a process of its own holding its lock (PGlite has one process).
    const url = urlOf(db);
    const live = url ? openPostgres(url, { max: 2 }) : null;
    const liveRow = live ? await started("host:7:alive", "streaming over there") : null;
    try {
      if (live) await live.holdLock("instance:host:7:alive");
      expect(await recoverInterrupted()).toBe(2);
      const rows = await asSystem(async (tx) => ({
        dead: await getInteraction(tx, { id: dead }),
        legacy: await getInteraction(tx, { id: legacy }),
        mine: await getInteraction(tx, { id: mine }),
        live: liveRow ? await getInteraction(tx, { id: liveRow }) : null,
      }));
      expect(rows.dead).toMatchObject({ status: "interrupted", response: "A B-tree keeps keys sorted in wide nodes" });
      expect(rows.dead!.error).toMatchObject({ code: "interrupted" });
      expect(rows.legacy).toMatchObject({ status: "interrupted", response: "" });
      expect(rows.mine).toMatchObject({ status: "started", response: "still streaming here" });
      if (liveRow) expect(rows.live).toMatchObject({ status: "started" });
      // The chat shows it as interrupted, with the text that had arrived.
      const turn = turnFromRow(rows.dead!);
      expect(turn).toMatchObject({ status: "interrupted", response: "A B-tree keeps keys sorted in wide nodes", error: { code: "interrupted" } });
      // Nothing left to do on a second sweep.
      expect(await recoverInterrupted()).toBe(0);
    } finally {
      await live?.close();
    }
    if (liveRow) {
      // Once that instance is gone, its interaction is recovered too.
      expect(await recoverInterrupted()).toBe(1);
      expect((await asSystem((tx) => getInteraction(tx, { id: liveRow })))!.status).toBe("interrupted");
    }
  });

  it("a checkpoint never overwrites a finished answer", async () => {
    const id = await started(instanceId());
    await asSystem((tx) => tx.query("update interactions set status = 'completed', response = 'final' where id = $1", [id]));
    await asSystem((tx) => checkpointInteraction(tx, { id, response: "late partial" }));
    expect((await asSystem((tx) => getInteraction(tx, { id })))!.response).toBe("final");
  });

  it("the dashboard counts interrupted answers apart from failures", async () => {
    const dash = await withClaims(db, userClaims(OPERATOR, { operator: true }), (tx) => buildDashboard(tx, { filters: { range: "all", model: null, taskType: null } }));
    expect(dash.kpis.interrupted).toBe(urlOf(db) ? 3 : 2);
    expect(dash.kpis.failed).toBe(0);
  });
});
