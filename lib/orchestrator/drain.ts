import "server-only";
import { flushRateCounts } from "@/lib/auth/rate-counter";
import { getDb } from "@/lib/db";
import { stopJobWorker } from "@/lib/jobs/worker";
import { stopLearningScheduler } from "@/lib/learning/scheduler";
import { flushCompletions } from "./completion-log";
import { settledLearning } from "./learn";

/**
 * What a stopping server still owes (scripts/serve.mjs calls it on SIGTERM, through
 * instrumentation-node.ts): no new background work (the learning scheduler and the job
 * worker stop first, a job under way finishing), the learning of answers already sent, the
 * editors' completions waiting for their batch, the rate-limit counts kept in memory; then the database closes cleanly, with
 * nothing left polling it.
 */
export async function drainServer(): Promise<void> {
  stopLearningScheduler();
  await stopJobWorker();
  await settledLearning();
  await flushCompletions();
  await flushRateCounts();
  await (await getDb()).close();
}
