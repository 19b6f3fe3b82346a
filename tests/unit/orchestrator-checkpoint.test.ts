import { describe, expect, it } from "vitest";
import { checkpointed } from "../../lib/orchestrator/checkpoint";
import { afterFirstToken } from "../../lib/orchestrator/after-first-token";
import type { RunEvent } from "../../lib/chat/events";

async function* run(events: RunEvent[], result: string): AsyncGenerator<RunEvent, string> {
  for (const e of events) {
    await new Promise((r) => setImmediate(r));
    yield e;
  }
  return result;
}

const tok = (text: string): RunEvent => ({ type: "token", text });
const fallback: RunEvent = { type: "fallback", attempt: { model: "a", ok: false, reason: "stalled", ms: 5 }, next: { model: "b", role: null } } as RunEvent;

async function drain(gen: AsyncGenerator<RunEvent, string>) {
  const seen: RunEvent[] = [];
  for (;;) {
    const n = await gen.next();
    if (n.done) return { seen, result: n.value };
    seen.push(n.value);
  }
}

describe("checkpointed", () => {
  it("passes every event through, returns the run's result, and saves the growing text", async () => {
    const saves: string[] = [];
    const events = [tok("Hel"), tok("lo"), tok(" world")];
    const { seen, result } = await drain(checkpointed(run(events, "outcome"), async (t) => void saves.push(t), { everyMs: 0 }));
    expect(seen).toEqual(events);
    expect(result).toBe("outcome");
    expect(saves).toEqual(["Hel", "Hello", "Hello world"]);
  });

  it("starts the text over after a fallback (the next model answers from the beginning)", async () => {
    const saves: string[] = [];
    await drain(checkpointed(run([tok("broken"), fallback, tok("fresh")], "x"), async (t) => void saves.push(t), { everyMs: 0 }));
    expect(saves).toEqual(["broken", "fresh"]);
  });

  it("never has two writes at once, never holds the stream up, and finishes its write before returning", async () => {
    let inFlight = 0;
    let most = 0;
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const saves: string[] = [];
    const gen = checkpointed(run([tok("a"), tok("b"), tok("c"), tok("d")], "r"), async (t) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await slow;
      saves.push(t);
      inFlight--;
    }, { everyMs: 0 });
    const seen: RunEvent[] = [];
    for (let i = 0; i < 4; i++) seen.push((await gen.next()).value as RunEvent); // all four pass while the first write waits
    expect(seen).toHaveLength(4);
    expect(saves).toEqual([]);
    const end = gen.next();
    release();
    expect(await end).toEqual({ done: true, value: "r" });
    expect(saves).toEqual(["a"]);
    expect(most).toBe(1);
  });

  it("writes at most once per interval", async () => {
    const saves: string[] = [];
    await drain(checkpointed(run(Array.from({ length: 50 }, () => tok("x")), "r"), async (t) => void saves.push(t), { everyMs: 60_000 }));
    expect(saves).toEqual([]); // fifty tokens inside one interval: nothing written yet
  });

  it("closes the run when the reader stops early", async () => {
    let closed = false;
    async function* inner(): AsyncGenerator<RunEvent, string> {
      try {
        yield tok("a");
        yield tok("b");
        return "never";
      } finally {
        closed = true;
      }
    }
    const gen = checkpointed(inner(), async () => {}, { everyMs: 0 });
    await gen.next();
    await gen.return("stopped");
    expect(closed).toBe(true);
  });

  it("starts the run at once but lets nothing through before `ready` (the recorded row) is done", async () => {
    let started = false;
    async function* inner(): AsyncGenerator<RunEvent, string> {
      started = true;
      yield tok("a");
      return "r";
    }
    let recordedRow!: () => void;
    const ready = new Promise<void>((r) => (recordedRow = r));
    const gen = checkpointed(inner(), async () => {}, { ready });
    const first = gen.next();
    let passed = false;
    void first.then(() => (passed = true));
    await new Promise((r) => setImmediate(r));
    expect(started).toBe(true); // the model call is under way…
    expect(passed).toBe(false); // …but no token has reached the client
    recordedRow();
    expect(await first).toEqual({ done: false, value: tok("a") });
  });

  it("stops the run and throws when the row cannot be written", async () => {
    let closed = false;
    async function* inner(): AsyncGenerator<RunEvent, string> {
      try {
        yield tok("a");
        yield tok("b");
        return "r";
      } finally {
        closed = true;
      }
    }
    const gen = checkpointed(inner(), async () => {}, { ready: Promise.reject(new Error("database down")) });
    await expect(gen.next()).rejects.toThrow("database down");
    expect(closed).toBe(true);
  });
});

describe("afterFirstToken", () => {
  it("calls back once, when the consumer comes back after the first token, and passes everything through", async () => {
    const calls: number[] = [];
    const events = [fallback, tok("a"), tok("b")];
    const gen = afterFirstToken(run(events, "done"), () => calls.push(1));
    expect((await gen.next()).value).toEqual(fallback);
    expect((await gen.next()).value).toEqual(tok("a"));
    expect(calls).toEqual([]); // the first token is handed on before anything else starts
    expect((await gen.next()).value).toEqual(tok("b"));
    expect(calls).toEqual([1]);
    const end = await gen.next();
    expect(end).toEqual({ done: true, value: "done" });
    expect(calls).toEqual([1]);
  });

  it("never calls back for a run without tokens, and stops the run when the consumer stops", async () => {
    let calls = 0;
    const { seen, result } = await drain(afterFirstToken(run([fallback], "none"), () => calls++));
    expect(seen).toEqual([fallback]);
    expect(result).toBe("none");
    expect(calls).toBe(0);
    let stopped = false;
    async function* endless(): AsyncGenerator<RunEvent, string> {
      try {
        for (;;) yield tok("x");
      } finally {
        stopped = true;
      }
    }
    const gen = afterFirstToken(endless(), () => calls++);
    await gen.next();
    await gen.return("early");
    expect(stopped).toBe(true);
  });
});
