/**
 * The reading end of lib/ndjson.ts, for the browser's fetch: each JSON value of a streamed
 * NDJSON body (one per line), handed to `onValue` in order as its line arrives. Blank lines
 * are skipped; a last line the stream ended before its newline is no value (it was cut off).
 * A line that is not JSON throws, as JSON.parse does.
 */
export async function readNdjson(body: NonNullable<Response["body"]>, onValue: (value: unknown) => void): Promise<void> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) onValue(JSON.parse(line));
    }
  }
}
