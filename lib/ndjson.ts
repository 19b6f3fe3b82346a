/**
 * A streamed NDJSON response (one JSON value per line). `run` sends events as it goes; if it
 * throws, `onError(e)` is sent as the last line. A client that goes away does not stop `run`:
 * sending just becomes a no-op, so work such as recording an interaction's outcome finishes.
 */
export function ndjsonResponse(run: (send: (event: unknown) => void) => Promise<void>, onError: (e: unknown) => unknown): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (event: unknown) => {
        try {
          controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        } catch {
          /* the client went away; the work goes on */
        }
      };
      try {
        await run(send);
      } catch (e) {
        send(onError(e));
      } finally {
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      }
    },
  });
  // no-transform: a compressing proxy must not buffer the stream.
  return new Response(stream, { headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store, no-transform" } });
}
