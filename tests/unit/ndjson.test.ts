import { describe, expect, it, vi } from "vitest";
import { ndjsonResponse } from "../../lib/ndjson";
import { readNdjson } from "../../lib/ndjson-read";

const text = (v: Uint8Array | undefined) => new TextDecoder().decode(v);

describe("ndjsonResponse", () => {
  it("streams one JSON value per line and ends with onError's value when run throws", async () => {
    const res = ndjsonResponse(
      async (send) => {
        send({ n: 1 });
        throw new Error("boom");
      },
      (e) => ({ error: (e as Error).message }),
    );
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    expect(res.headers.get("cache-control")).toContain("no-transform");
    expect(await res.text()).toBe('{"n":1}\n{"error":"boom"}\n');
  });

  it("lets the work finish when the client goes away", async () => {
    let finished = false;
    const res = ndjsonResponse(
      async (send) => {
        send({ n: 1 });
        await new Promise((r) => setTimeout(r, 20));
        send({ n: 2 }); // the client is gone: sending is a no-op, not an exception
        finished = true;
      },
      () => ({ error: true }),
    );
    const reader = res.body!.getReader();
    expect(text((await reader.read()).value)).toBe('{"n":1}\n');
    await reader.cancel();
    await vi.waitFor(() => expect(finished).toBe(true));
  });
});

describe("readNdjson", () => {
  /** A body delivered in the given pieces, split wherever they fall (mid-line, mid-character). */
  const body = (pieces: (string | Uint8Array)[]) =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const p of pieces) controller.enqueue(typeof p === "string" ? new TextEncoder().encode(p) : p);
          controller.close();
        },
      }),
    ).body!;

  it("hands over each line's value in order, however the body is split, skipping blank lines and a cut-off last line", async () => {
    const euro = new TextEncoder().encode('{"s":"€"}\n'); // a character of three bytes, split across pieces
    const seen: unknown[] = [];
    await readNdjson(body(['{"n":1}\n{"n"', ':2}\n\n  \n', euro.slice(0, 7), euro.slice(7), '{"n":3}\n{"cut":']), (v) => seen.push(v));
    expect(seen).toEqual([{ n: 1 }, { n: 2 }, { s: "€" }, { n: 3 }]);
  });

  it("reads what ndjsonResponse writes, and throws on a line that is not JSON", async () => {
    const seen: unknown[] = [];
    await readNdjson(ndjsonResponse(async (send) => (send({ a: 1 }), send([2])), () => null).body!, (v) => seen.push(v));
    expect(seen).toEqual([{ a: 1 }, [2]]);
    await expect(readNdjson(body(['{"ok":true}\nnot json\n']), () => {})).rejects.toThrow(SyntaxError);
  });
});
