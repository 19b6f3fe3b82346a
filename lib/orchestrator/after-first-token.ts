import type { RunEvent } from "@/lib/chat/events";

/**
 * Passes a run's events through unchanged and calls `then` once, when the consumer comes back
 * for more after the first token (so it has handed that token on). Work that must not delay
 * the first token starts there.
 */
export async function* afterFirstToken<R>(events: AsyncGenerator<RunEvent, R>, then: () => void): AsyncGenerator<RunEvent, R> {
  let called = false;
  try {
    for (;;) {
      const next = await events.next();
      if (next.done) return next.value;
      yield next.value;
      if (next.value.type === "token" && !called) (called = true), then();
    }
  } finally {
    await events.return(undefined as R);
  }
}
