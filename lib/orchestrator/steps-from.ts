import type { RunEvent } from "@/lib/chat/events";

/**
 * A run's events from a step already taken (`first`, of `events`) on: the model is asked
 * before the caller has yielded anything else. If the consumer leaves at the first event, the
 * run is stopped; later, `yield*` passes its leaving on.
 */
export async function* stepsFrom<R>(first: Promise<IteratorResult<RunEvent, R>>, events: AsyncGenerator<RunEvent, R>): AsyncGenerator<RunEvent, R> {
  const head = await first;
  if (head.done) return head.value;
  let handedOn = false;
  try {
    yield head.value;
    handedOn = true;
  } finally {
    if (!handedOn) await events.return(undefined as R);
  }
  return yield* events;
}
