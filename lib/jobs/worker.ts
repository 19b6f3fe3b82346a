import "server-only";
import { asSystem } from "@/lib/db";
import { claimJob, finishJob, insertJob, releaseStaleJobs, requeueJob, setJobProgress, type JobKind, type JobRow } from "@/lib/db/queries/jobs";
import type { Queryable } from "@/lib/db";

/**
 * The generic background worker: long work is a row in `jobs`; a handler per kind runs it.
 * Each database step is its own short transaction (claim, progress, finish): a handler
 * waiting on a model never holds one open. Runs in-process (started from instrumentation)
 * and from the cron route; `for update skip locked` keeps them from taking a job twice.
 */

export interface JobContext {
  job: JobRow;
  /** Records progress (0..1) and the stage shown to operators. */
  progress(progress: number, stage: string): Promise<void>;
  /** True on the attempt after which no retry follows. */
  lastAttempt: boolean;
}

export interface JobHandler {
  run(ctx: JobContext): Promise<unknown>;
  /** Called when an attempt failed and the job goes back to the queue (or, with `final`, fails for good). */
  onFailure?(ctx: { job: JobRow; error: string; final: boolean }): Promise<void>;
  /** Attempts before the job fails for good (default 3). */
  maxAttempts?: number;
}

/** A failure no retry can fix (bad input): the job fails at once. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentJobError";
  }
}

const g = globalThis as unknown as {
  __eliteJobHandlers?: Map<JobKind, JobHandler>;
  __eliteJobWorker?: { stop(): Promise<void>; wake(): void };
};
const handlers: Map<JobKind, JobHandler> = (g.__eliteJobHandlers ??= new Map<JobKind, JobHandler>());

export function registerJobHandler(kind: JobKind, handler: JobHandler): void {
  handlers.set(kind, handler);
}

/** Backoff before attempt n+1: 2 s, 8 s, 32 s… (capped at 5 minutes). */
export function retryDelayMs(attempts: number): number {
  return Math.min(5 * 60_000, 2000 * 4 ** Math.max(0, attempts - 1));
}

export async function enqueueJob(
  j: { kind: JobKind; payload: Record<string, unknown>; createdBy?: string | null },
  tx?: Queryable,
): Promise<JobRow> {
  const row = tx ? await insertJob(tx, j) : await asSystem((t) => insertJob(t, j));
  g.__eliteJobWorker?.wake();
  return row;
}

/** Claims and runs one due job; false when none was due. */
export async function runOneJob(opts: { kinds?: JobKind[]; now?: () => Date } = {}): Promise<{ ran: false } | { ran: true; job: JobRow; status: "succeeded" | "failed" | "retry"; error?: string }> {
  const kinds = opts.kinds ?? ([...handlers.keys()] as JobKind[]);
  if (kinds.length === 0) return { ran: false };
  const job = await asSystem((tx) => claimJob(tx, { kinds }));
  if (!job) return { ran: false };
  const handler = handlers.get(job.kind);
  const maxAttempts = handler?.maxAttempts ?? 3;
  const lastAttempt = job.attempts >= maxAttempts;
  if (!handler) {
    const error = `No handler for jobs of kind ${job.kind} in this process.`;
    await asSystem((tx) => finishJob(tx, { id: job.id, status: "failed", error }));
    return { ran: true, job, status: "failed", error };
  }
  try {
    const result = await handler.run({
      job,
      lastAttempt,
      progress: (progress, stage) => asSystem((tx) => setJobProgress(tx, { id: job.id, progress, stage })),
    });
    await asSystem((tx) => finishJob(tx, { id: job.id, status: "succeeded", result: result ?? {} }));
    return { ran: true, job, status: "succeeded" };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    const final = lastAttempt || e instanceof PermanentJobError;
    if (final) await asSystem((tx) => finishJob(tx, { id: job.id, status: "failed", error }));
    else {
      const now = opts.now?.() ?? new Date();
      await asSystem((tx) => requeueJob(tx, { id: job.id, error, runAfter: new Date(now.getTime() + retryDelayMs(job.attempts)) }));
    }
    await handler.onFailure?.({ job, error, final }).catch((err) => console.error(`job ${job.id}: onFailure failed`, err));
    return { ran: true, job, status: final ? "failed" : "retry", error };
  }
}

/** Runs due jobs until none is left or the budget is spent (the cron route, tests). */
export async function drainJobs(opts: { maxJobs?: number; budgetMs?: number; kinds?: JobKind[] } = {}): Promise<number> {
  const until = Date.now() + (opts.budgetMs ?? 50_000);
  let n = 0;
  while (n < (opts.maxJobs ?? 100) && Date.now() < until) {
    const r = await runOneJob({ kinds: opts.kinds });
    if (!r.ran) break;
    n++;
  }
  return n;
}

/**
 * The in-process worker: polls for due jobs (and wakes at once when one is queued here),
 * one at a time (the embedded database runs one transaction at a time anyway). Started
 * once per process; a job left running by a crashed process is queued again.
 */
export function startJobWorker({ pollMs = 2000, staleMs = 10 * 60_000 }: { pollMs?: number; staleMs?: number } = {}): void {
  if (g.__eliteJobWorker) return;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;
  let wakeNow: (() => void) | null = null;

  const loop = async () => {
    await asSystem((tx) => releaseStaleJobs(tx, { olderThanMs: staleMs })).catch(() => 0);
    while (!stopped) {
      try {
        const r = await runOneJob();
        if (r.ran) continue;
      } catch (e) {
        console.error("job worker:", e);
      }
      await new Promise<void>((resolve) => {
        wakeNow = resolve;
        timer = setTimeout(resolve, pollMs);
        timer.unref?.();
      });
      wakeNow = null;
    }
  };
  running = loop();
  g.__eliteJobWorker = {
    wake() {
      if (timer) clearTimeout(timer);
      wakeNow?.();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wakeNow?.();
      await running;
      g.__eliteJobWorker = undefined;
    },
  };
}

export async function stopJobWorker(): Promise<void> {
  await g.__eliteJobWorker?.stop();
}
