import type { RunEvent } from "@/lib/chat/events";

/** How often, at most, the text of a streaming answer is written to its interaction. */
export const CHECKPOINT_MS = 1000;

/**
 * Passes a run's events through unchanged, keeping the text streamed so far (since the last
 * fallback, which starts the answer over) saved with `save`: at most one write per
 * CHECKPOINT_MS and never two at once, so its cost is bounded whatever the token rate; the
 * stream never waits for it. If the process dies, the text saved is what recovery shows.
 * With `ready`, the run starts at once but no event passes until ready resolves; if it
 * rejects, the run is stopped and the error thrown.
 */
export async function* checkpointed<R>(
  events: AsyncGenerator<RunEvent, R>,
  save: (text: string) => Promise<void>,
  { everyMs = CHECKPOINT_MS, ready }: { everyMs?: number; ready?: Promise<unknown> } = {},
): AsyncGenerator<RunEvent, R> {
  let text = "";
  let savedText = "";
  let last = performance.now();
  let inFlight: Promise<void> | null = null;
  let done = false;
  try {
    // `ready` (the row being written) runs while the first model starts; nothing passes before it is done.
    let pending: Promise<IteratorResult<RunEvent, R>> | null = events.next();
    if (ready) await ready.catch(async (e) => {
      await pending!.catch(() => {}); // let the started step settle, then stop the run
      pending = null;
      throw e;
    });
    for (;;) {
      const next = await (pending ?? events.next());
      pending = null;
      if (next.done) {
        done = true;
        await inFlight; // the final write (finishInteraction) must come after the last checkpoint
        return next.value;
      }
      const e = next.value;
      if (e.type === "token") text += e.text;
      else if (e.type === "fallback") text = "";
      if (e.type === "token" && !inFlight && text !== savedText && performance.now() - last >= everyMs) {
        const snapshot = text;
        last = performance.now();
        inFlight = save(snapshot)
          .then(() => void (savedText = snapshot))
          .catch((err) => console.error("checkpointing the answer failed", err))
          .finally(() => (inFlight = null));
      }
      yield e;
    }
  } finally {
    if (!done) await events.return(undefined as R);
    await inFlight;
  }
}
