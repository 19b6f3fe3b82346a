import "server-only";
import { asSystem } from "@/lib/db";
import { insertCompletions, type CompletionRow } from "@/lib/db/queries/completions";
import { recordOutcomes } from "@/lib/learning/store";

/**
 * Editors' completions are recorded after they finish, in batches: an editor asks at
 * keystroke rate, and the request path must not wait for a database. A batch is written when
 * FLUSH_AT completions are waiting or FLUSH_AFTER_MS after the first of them, whichever comes
 * first; then each completion's outcome teaches routing (task type `completion`). Cancelled
 * completions are never logged: they cost nothing further.
 */
const FLUSH_AT = 50;
const FLUSH_AFTER_MS = 250;

export interface LoggedCompletion extends CompletionRow {
  /** what the outcome teaches routing, in [0, 1] */
  reward: number;
  success: boolean;
}

const g = globalThis as unknown as {
  __eliteCompletionLog?: { queue: LoggedCompletion[]; timer: NodeJS.Timeout | null; writing: Promise<void> };
};
const log = () => (g.__eliteCompletionLog ??= { queue: [], timer: null, writing: Promise.resolve() });

export function logCompletion(c: LoggedCompletion): void {
  const l = log();
  l.queue.push(c);
  if (l.queue.length >= FLUSH_AT) void flushCompletions();
  else if (!l.timer) {
    l.timer = setTimeout(() => void flushCompletions(), FLUSH_AFTER_MS);
    l.timer.unref?.();
  }
}

/** Writes what is waiting (and waits for any batch already being written). */
export function flushCompletions(): Promise<void> {
  const l = log();
  if (l.timer) clearTimeout(l.timer);
  l.timer = null;
  const batch = l.queue.splice(0);
  l.writing = l.writing.then(async () => {
    if (batch.length === 0) return;
    try {
      await asSystem((tx) => insertCompletions(tx, batch.map(({ reward: _r, success: _s, ...row }) => row)));
      await recordOutcomes(batch.map((c) => ({ taskType: "completion", model: c.model, reward: c.reward, success: c.success, responseTimeMs: c.response_time ?? undefined })));
    } catch (e) {
      console.error(`recording ${batch.length} completions failed`, e);
    }
  });
  return l.writing;
}
