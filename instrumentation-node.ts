import { ConfigError, parseEnv } from "./lib/config/env";
import { getDb } from "./lib/db";

/**
 * A bad or half-set configuration stops the server here with a message naming the
 * variable; the database is opened (and migrated) at once, so a second server on the same
 * embedded data directory is refused at start, not at the first request.
 */
export async function startNodeServer() {
  try {
    parseEnv();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`\n${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  try {
    await getDb();
  } catch (e) {
    console.error(`\nThe database could not be opened: ${e instanceof Error ? e.message : e}\n`);
    process.exit(1);
  }
  // The embedded database has no autovacuum: its planner statistics are kept current here.
  const { keepPlannerStatisticsCurrent } = await import("./lib/db/planner-statistics");
  await keepPlannerStatisticsCurrent(await getDb());
  // Crash recovery: this instance's lock first, then what dead instances left unfinished.
  const { holdInstanceLock, startRecovery } = await import("./lib/orchestrator/recovery");
  await holdInstanceLock();
  await startRecovery();
  // The learning cycle: experiment checks every minute, analysis runs on their interval.
  const { startLearningScheduler } = await import("./lib/learning/scheduler");
  startLearningScheduler();
  // Background jobs (document ingestion, …): the in-process worker polls the jobs table.
  const { registerKnowledgeJobs } = await import("./lib/knowledge/jobs");
  const { startJobWorker } = await import("./lib/jobs/worker");
  registerKnowledgeJobs();
  startJobWorker();
  // Editors' requests skip Next.js's router when scripts/serve.mjs runs the server.
  const { openFastLane } = await import("./lib/api/fast-lane");
  openFastLane();
  // What a stopping server still owes (scripts/serve.mjs calls it on SIGTERM).
  const { drainServer } = await import("./lib/orchestrator/drain");
  (globalThis as { __eliteDrain?: () => Promise<void> }).__eliteDrain = drainServer;
}
