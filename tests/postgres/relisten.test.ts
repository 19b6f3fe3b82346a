/**
 * When the connection an instance listens on drops (a restarted server, a network blip), the
 * notifications sent meanwhile are lost: on reconnecting, every cache re-reads instead of
 * waiting out its lifetime (run by `npm run test:postgres` only: an embedded database never
 * loses it).
 */
import { describe, expect, it } from "vitest";
import { serverTestDb } from "../support/server-db";
import type { Database } from "../../lib/db";
import { openPostgres } from "../../lib/db/postgres";
import { addModelOutcome } from "../../lib/db/queries/learning";
import { listeningForChanges } from "../../lib/db/changes";
import { learningState } from "../../lib/learning/store";

const server = serverTestDb();

const listeners = async (admin: Database) =>
  (await admin.query<{ pid: number }>("select pid from pg_stat_activity where datname = current_database() and query ilike 'listen%'")).rows.map((r) => r.pid);

describe("a dropped listening connection", () => {
  it("makes the caches re-read what changed while it was down, long before their lifetimes", async () => {
    const before = await learningState();
    expect(before.performance["missed-model::debugging"]).toBeUndefined();
    await listeningForChanges();
    const admin = openPostgres(server.url, { max: 1 });
    try {
      const [pid] = await listeners(admin);
      expect(pid).toBeDefined();
      // Never announced, as a change made while nobody listens: only a re-read can find it.
      // Written before the connection drops, so the re-read its return causes cannot come
      // first (postgres.js reconnects within milliseconds).
      await admin.transaction((tx) => addModelOutcome(tx, { model: "missed-model", taskType: "debugging", reward: 1, discount: 0.999, now: Date.now(), counted: true, success: true, latencyMs: null, rating: null }));
      expect((await learningState()).performance["missed-model::debugging"]).toBeUndefined(); // the cache still holds the old state
      await admin.query("select pg_terminate_backend($1)", [pid]);
      const deadline = Date.now() + 15_000; // the learning state's own re-read is 30 s away
      while (!(await learningState()).performance["missed-model::debugging"] && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect((await learningState()).performance["missed-model::debugging"]).toMatchObject({ outcomes: 1 });
      expect((await listeners(admin)).some((p) => p !== pid)).toBe(true); // listening again, on a new connection
    } finally {
      await admin.close();
    }
  });
});
