import { describe, expect, it, vi } from "vitest";
import { ndjsonResponse } from "../../lib/ndjson";

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
