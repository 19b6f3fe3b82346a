import "server-only";
import type { BatchedOutcome } from "@/lib/db/queries/learning";
import { batchedOutcome, recordOutcomeBatch, type LearnedOutcome } from "./store";

/**
 * What answers teach the routing posteriors and the parameter arms, written in batches after
 * the answers, when no answer is being started or streamed: the next request's first token does
 * not wait behind the last one's learning (on the embedded database every statement takes its
 * single connection; on a 2-core host its work also takes a core from the model call), and
 * one statement carries many answers' outcomes instead of two per answer.
 *
 * A batch is written QUIET_MS after the last answer ended with none streaming; under steady
 * load, when its oldest outcome has waited MAX_WAIT_MS or it holds MAX_BATCH outcomes. So the
 * routing state lags the answers by at most about a second; feedback (ratings, corrections)
 * is not batched. A crash loses at most that second's outcomes (the interactions themselves
 * are recorded as they finish). `flushOutcomes()` writes at once (settledLearning, shutdown).
 */
export const QUIET_MS = 5;
export const MAX_WAIT_MS = 1000;
export const MAX_BATCH = 16;

type Queued = { outcomes: BatchedOutcome[]; done: () => void };

interface BatchState {
  queued: Queued[];
  /** answers being planned or streamed in this process */
  busy: number;
  oldestAt: number;
  quietTimer?: NodeJS.Timeout;
  maxTimer?: NodeJS.Timeout;
  /** the write in progress; batches are written one after another, in order */
  writing: Promise<void>;
}

const g = globalThis as unknown as { __eliteOutcomeBatch?: BatchState };
const state = (): BatchState => (g.__eliteOutcomeBatch ??= { queued: [], busy: 0, oldestAt: 0, writing: Promise.resolve() });

/** Marks an answer as under way until the returned function is called (at most once counts). */
export function answerUnderWay(): () => void {
  const s = state();
  s.busy++;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    s.busy--;
    schedule(s);
  };
}

/** Queues an answer's outcomes; resolves once they are written (errors are logged, not thrown). */
export function learnLater(outcomes: readonly LearnedOutcome[]): Promise<void> {
  if (outcomes.length === 0) return Promise.resolve();
  const checked = outcomes.map(batchedOutcome); // a bad one is refused here, not lost with its batch
  const s = state();
  return new Promise<void>((done) => {
    if (s.queued.length === 0) s.oldestAt = Date.now();
    s.queued.push({ outcomes: checked, done });
    if (pendingOutcomes() >= MAX_BATCH) void flushOutcomes();
    else schedule(s);
  });
}

/** How many outcomes wait to be written. */
export function pendingOutcomes(): number {
  return state().queued.reduce((n, q) => n + q.outcomes.length, 0);
}

/** Writes every queued outcome now; resolves when they (and any write before them) are written. */
export function flushOutcomes(): Promise<void> {
  const s = state();
  clearTimeout(s.quietTimer);
  clearTimeout(s.maxTimer);
  s.quietTimer = s.maxTimer = undefined;
  const batch = s.queued.splice(0);
  s.writing = s.writing.then(async () => {
    if (batch.length === 0) return;
    try {
      await withRetry(() => recordOutcomeBatch(batch.flatMap((q) => q.outcomes)));
    } catch (e) {
      console.error("learning update failed", e);
    } finally {
      for (const q of batch) q.done();
    }
  });
  return s.writing;
}

function schedule(s: BatchState): void {
  if (s.queued.length === 0) return;
  s.maxTimer ??= setTimeout(() => void flushOutcomes(), Math.max(0, s.oldestAt + MAX_WAIT_MS - Date.now()));
  clearTimeout(s.quietTimer);
  s.quietTimer = undefined;
  if (s.busy === 0) s.quietTimer = setTimeout(() => (state().busy === 0 ? void flushOutcomes() : undefined), QUIET_MS);
}

/** A batch is one transaction: one the server broke off to resolve a conflict is written again (twice at most). */
async function withRetry(write: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (attempt >= 2 || (code !== "40P01" && code !== "40001")) throw e;
    }
  }
}
