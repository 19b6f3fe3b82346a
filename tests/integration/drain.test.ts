import { afterEach, describe, expect, it, vi } from "vitest";
import { createTestDb } from "../support/db";
import { useDatabase } from "../../lib/db";
import { startJobWorker } from "../../lib/jobs/worker";
import { startLearningScheduler } from "../../lib/learning/scheduler";
import { drainServer } from "../../lib/orchestrator/drain";

/**
 * A stopping server (SIGTERM → drainServer) stops its background work before it closes the
 * database: nothing is left polling a closed database (the job worker used to log
 * "PGlite is closed" on every stop that caught it between polls).
 */
const g = globalThis as unknown as { __eliteJobWorker?: unknown; __eliteLearningTimer?: unknown };

afterEach(() => vi.restoreAllMocks());

describe("draining a stopping server", () => {
  it("stops the job worker and the learning scheduler, then closes the database", async () => {
    const db = await createTestDb();
    useDatabase(db);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    startJobWorker({ pollMs: 1 });
    startLearningScheduler();
    expect(g.__eliteJobWorker).toBeDefined();
    expect(g.__eliteLearningTimer).toBeDefined();
    await drainServer();
    expect(g.__eliteJobWorker).toBeUndefined(); // its loop has ended: it polls no more
    expect(g.__eliteLearningTimer).toBeUndefined();
    await expect(db.query("select 1")).rejects.toThrow(); // closed
    expect(errors.mock.calls.filter((c) => String(c[0]).startsWith("job worker"))).toEqual([]);
  });
});
