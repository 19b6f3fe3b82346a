import net from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  ContextOverflowError,
  MalformedResponseError,
  ModelMissingError,
  NoHealthyHostError,
  OllamaHttpError,
  OllamaPool,
  OllamaTimeoutError,
  OllamaUnreachableError,
  StreamBrokenError,
  estimateTokens,
  getOllamaPool,
  type ChatChunk,
  type PoolOptions,
} from "@/lib/ollama";
import { simEmbed, startSimulator, type Simulator } from "../../sim";

/**
 * The pool over the official client, against the simulator: every fault must come out as the
 * typed error the orchestrator acts on, and hosts, slots, timers and connections must be
 * handled without leaks.
 */

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 7, timeScale: 0 });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  sim.clearFaults();
});

const msgs = (content: string) => [{ role: "user" as const, content }];
const poolOn = (hosts: string[] = [sim.url], extra: Partial<PoolOptions> = {}) => new OllamaPool({ hosts, ...extra });

async function failure(p: Promise<unknown> | AsyncIterable<unknown>): Promise<unknown> {
  try {
    if (Symbol.asyncIterator in p) for await (const _ of p);
    else await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a failure");
}

/** A URL on which nothing listens. */
async function deadUrl(): Promise<string> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return `http://127.0.0.1:${port}`;
}

async function deltas(pool: OllamaPool, content: string, options = { seed: 3 }) {
  const out: string[] = [];
  for await (const c of pool.chatStream({ model: "openhermes", messages: msgs(content), options })) if (c.type === "delta") out.push(c.content);
  return out;
}

const chatCount = (s: Simulator, model = "openhermes:latest") => s.stats().byModel[model]?.["POST /api/chat"] ?? 0;

describe("answers", () => {
  it("streams deltas and a final result with Ollama's durations converted to ms", async () => {
    const pool = poolOn();
    const chunks: ChatChunk[] = [];
    for await (const c of pool.chatStream({ model: "openhermes", messages: msgs("Explain what a mutex is"), options: { seed: 1 } })) chunks.push(c);
    const done = chunks.at(-1);
    expect(done?.type).toBe("done");
    if (done?.type !== "done") return;
    const r = done.result;
    expect(chunks.slice(0, -1).every((c) => c.type === "delta")).toBe(true);
    expect(r.content).toBe(chunks.map((c) => (c.type === "delta" ? c.content : "")).join(""));
    expect(r.host).toBe(sim.url);
    expect(r.doneReason).toBe("stop");
    expect(r.evalCount).toBeGreaterThanOrEqual(chunks.length - 1); // a delta per token, or several tokens' text in one when the reader fell behind
    expect(r.loadDurationMs).toBe(2200); // openhermes' profile, 2.2e9 ns
    expect(r.evalDurationMs).toBeCloseTo((r.evalCount * 1000) / 45, 3);
    expect(r.createdAt).toBeInstanceOf(Date);
    expect(Number.isNaN(r.createdAt.getTime())).toBe(false);
    expect(r.ttftMs).toBeLessThanOrEqual(r.wallMs);
  });

  it("chat() returns the same result as the stream, and passes options and format through", async () => {
    const pool = poolOn();
    const r = await pool.chat({ model: "mathstral", messages: msgs("What is 9 * 9?"), options: { num_predict: 4, seed: 1 } });
    expect(r.doneReason).toBe("length");
    expect(r.evalCount).toBe(4);
    const json = await pool.chat({
      model: "openhermes",
      messages: msgs("Fix this bug: my loop crashes"),
      format: { type: "object", properties: { task_type: { type: "string", enum: ["debugging", "math", "general"] } } },
    });
    expect(["debugging", "math", "general"]).toContain(JSON.parse(json.content).task_type);
  });
});

describe("faults become typed errors", () => {
  it("a closed port → OllamaUnreachableError", async () => {
    const url = await deadUrl();
    const e = await failure(poolOn([url]).chat({ model: "openhermes", messages: msgs("hi") }));
    expect(e).toBeInstanceOf(OllamaUnreachableError);
    expect((e as OllamaUnreachableError).code).toBe("unreachable");
    expect((e as Error).message).toContain(url);
    expect((e as Error).message).toContain("ECONNREFUSED");
  });

  it("a connection destroyed before the answer → OllamaUnreachableError", async () => {
    const e = await failure(poolOn().chat({ model: "openhermes", messages: msgs("hi"), headers: { "x-sim-fault": "refuse" } }));
    expect(e).toBeInstanceOf(OllamaUnreachableError);
  });

  it("no first token in time → OllamaTimeoutError(first_token), and the connection is closed", async () => {
    const pool = poolOn([sim.url], { timeouts: { firstTokenMs: 150 } });
    const e = await failure(pool.chat({ model: "openhermes", messages: msgs("hi"), headers: { "x-sim-fault": "timeout" } }));
    expect(e).toBeInstanceOf(OllamaTimeoutError);
    expect((e as OllamaTimeoutError).phase).toBe("first_token");
    expect((e as OllamaTimeoutError).code).toBe("timeout");
    await vi.waitFor(() => expect(sim.stats().closedEarly).toBe(1), { timeout: 5_000 });
    expect(sim.stats().inFlight["openhermes:latest"]).toBe(0);
  });

  it("an answer that does not finish in time → OllamaTimeoutError(total) with the partial answer", async () => {
    const pool = poolOn([sim.url], { timeouts: { firstTokenMs: 10_000, totalMs: 300 } });
    const full = (await pool.chat({ model: "openhermes", messages: msgs("Explain closures"), options: { seed: 2 } })).content;
    const e = await failure(
      pool.chat({ model: "openhermes", messages: msgs("Explain closures"), options: { seed: 2 }, headers: { "x-sim-fault": "slow:100" } }),
    );
    expect(e).toBeInstanceOf(OllamaTimeoutError);
    const t = e as OllamaTimeoutError;
    expect(t.phase).toBe("total");
    expect(t.partial.length).toBeGreaterThan(0);
    expect(full.startsWith(t.partial)).toBe(true);
    expect(t.partial.length).toBeLessThan(full.length);
    await vi.waitFor(() => expect(sim.stats().closedEarly).toBe(1), { timeout: 5_000 });
  });

  it("HTTP 500 → OllamaHttpError with the status", async () => {
    const e = await failure(poolOn().chat({ model: "openhermes", messages: msgs("hi"), headers: { "x-sim-fault": "http500" } }));
    expect(e).toBeInstanceOf(OllamaHttpError);
    expect((e as OllamaHttpError).status).toBe(500);
    expect((e as Error).message).toContain("llama runner process has terminated");
  });

  it("a model no host has → ModelMissingError with the pull command, without asking /api/chat", async () => {
    const e = await failure(poolOn().chat({ model: "llama9:8b", messages: msgs("hi") }));
    expect(e).toBeInstanceOf(ModelMissingError);
    expect((e as ModelMissingError).pullCommand).toBe("ollama pull llama9:8b");
    expect((e as Error).message).toContain("ollama pull llama9:8b");
    expect(sim.stats().requests["POST /api/chat"]).toBeUndefined();
  });

  it("a 404 from /api/chat (model removed since the listing) → ModelMissingError", async () => {
    const e = await failure(poolOn().chat({ model: "openhermes", messages: msgs("hi"), headers: { "x-sim-fault": "unknown_model" } }));
    expect(e).toBeInstanceOf(ModelMissingError);
    expect((e as ModelMissingError).pullCommand).toBe("ollama pull openhermes");
  });

  it("a stream cut after 3 chunks → StreamBrokenError with exactly those 3 chunks of text", async () => {
    const pool = poolOn();
    const clean = await deltas(pool, "Explain closures");
    const got: string[] = [];
    const e = await failure(
      (async () => {
        for await (const c of pool.chatStream({ model: "openhermes", messages: msgs("Explain closures"), options: { seed: 3 }, headers: { "x-sim-fault": "cut:3" } }))
          if (c.type === "delta") got.push(c.content);
      })(),
    );
    expect(e).toBeInstanceOf(StreamBrokenError);
    expect((e as StreamBrokenError).partial).toBe(clean.slice(0, 3).join(""));
    expect(got).toEqual(clean.slice(0, 3));
  });

  it("a malformed NDJSON line → MalformedResponseError after the chunks before it (the raw client would skip it)", async () => {
    const pool = poolOn();
    const clean = await deltas(pool, "Explain closures");
    const got: string[] = [];
    const e = await failure(
      (async () => {
        for await (const c of pool.chatStream({ model: "openhermes", messages: msgs("Explain closures"), options: { seed: 3 }, headers: { "x-sim-fault": "malformed:2" } }))
          if (c.type === "delta") got.push(c.content);
      })(),
    );
    expect(e).toBeInstanceOf(MalformedResponseError);
    expect((e as MalformedResponseError).partial).toBe(clean.slice(0, 2).join(""));
    expect(got).toEqual(clean.slice(0, 2));
  });

  it("checks NDJSON lines even when the network splits them across chunks", async () => {
    // A fetch that re-chunks every body into 7-byte pieces, so lines straddle reads.
    const rechunk: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!res.body) return res;
      const reader = res.body.getReader();
      let pending = new Uint8Array(0);
      const body = new ReadableStream<Uint8Array>({
        async pull(c) {
          while (pending.length < 7) {
            const { done, value } = await reader.read();
            if (done) {
              if (pending.length) c.enqueue(pending);
              pending = new Uint8Array(0);
              return c.close();
            }
            const next = new Uint8Array(pending.length + value.length);
            next.set(pending);
            next.set(value, pending.length);
            pending = next;
          }
          c.enqueue(pending.slice(0, 7));
          pending = pending.slice(7);
        },
        cancel: (r) => reader.cancel(r),
      });
      return new Response(body, { status: res.status, headers: res.headers });
    };
    const pool = poolOn([sim.url], { fetch: rechunk });
    const clean = await deltas(poolOn(), "Explain closures");
    expect(await deltas(pool, "Explain closures")).toEqual(clean);
    const got: string[] = [];
    const e = await failure(
      (async () => {
        for await (const c of pool.chatStream({ model: "openhermes", messages: msgs("Explain closures"), options: { seed: 3 }, headers: { "x-sim-fault": "malformed:4" } }))
          if (c.type === "delta") got.push(c.content);
      })(),
    );
    expect(e).toBeInstanceOf(MalformedResponseError);
    expect(got).toEqual(clean.slice(0, 4));
  });

  it("a prompt larger than the window → ContextOverflowError from the pre-check", async () => {
    const pool = poolOn();
    const huge = msgs("x".repeat(40_000)); // ≈ 10 000 tokens
    const e = await failure(pool.assertFits({ model: "openhermes", messages: huge }));
    expect(e).toBeInstanceOf(ContextOverflowError);
    const o = e as ContextOverflowError;
    expect(o.code).toBe("context_overflow");
    expect(o.promptTokens).toBe(10_004);
    expect(o.contextLength).toBe(8192); // the model's num_ctx parameter
    // A larger num_ctx fits, but never beyond the trained window.
    await expect(pool.assertFits({ model: "openhermes", messages: huge, numCtx: 16_384 })).resolves.toEqual({ promptTokens: 10_004, contextLength: 16_384 });
    await expect(pool.assertFits({ model: "openhermes", messages: msgs("hi"), numCtx: 1_000_000 })).resolves.toMatchObject({ contextLength: 32_768 });
    expect(await failure(pool.assertFits({ model: "wizardcoder", messages: huge, numCtx: 16_384 }))).toBeInstanceOf(ContextOverflowError);
    // reserveTokens keeps room for the answer.
    expect(await failure(pool.assertFits({ model: "openhermes", messages: msgs("x".repeat(32_000)), reserveTokens: 500 }))).toBeInstanceOf(
      ContextOverflowError,
    );
    expect(estimateTokens("abcdefgh")).toBe(2);
    expect(estimateTokens("abcdefghi")).toBe(3);
  });
});

describe("cool-down", () => {
  it("takes a host out after N failures a minute and lets it back after the cool-down (half-open)", async () => {
    let clock = 1_000_000;
    const pool = poolOn([sim.url], { now: () => clock, cooldown: { failuresPerMinute: 3, cooldownMs: 30_000 } });
    sim.setFaults([{ model: "openhermes", fault: "http500" }]);
    for (let i = 0; i < 3; i++) expect(await failure(pool.chat({ model: "openhermes", messages: msgs("hi") }))).toBeInstanceOf(OllamaHttpError);
    const cooled = await failure(pool.chat({ model: "openhermes", messages: msgs("hi") }));
    expect(cooled).toBeInstanceOf(NoHealthyHostError);
    expect((cooled as NoHealthyHostError).hosts[0].coolingDownUntil?.getTime()).toBe(clock + 30_000);
    expect(chatCount(sim)).toBe(3); // the fourth never reached the host
    expect((await pool.health())[0]).toMatchObject({ ok: false, simulator: true, coolingDownUntil: new Date(clock + 30_000) });

    sim.clearFaults();
    clock += 29_000;
    expect(await failure(pool.chat({ model: "openhermes", messages: msgs("hi") }))).toBeInstanceOf(NoHealthyHostError);
    clock += 2_000;
    await expect(pool.chat({ model: "openhermes", messages: msgs("hi") })).resolves.toMatchObject({ host: sim.url });
    expect(chatCount(sim)).toBe(4);
    expect((await pool.health())[0]).toMatchObject({ ok: true, coolingDownUntil: undefined });
  });

  it("sends a half-open host straight back on its first failure", async () => {
    let clock = 0;
    const pool = poolOn([sim.url], { now: () => clock, cooldown: { failuresPerMinute: 2, cooldownMs: 10_000 } });
    sim.setFaults([{ model: "openhermes", fault: "http500" }]);
    for (let i = 0; i < 2; i++) await failure(pool.chat({ model: "openhermes", messages: msgs("hi") }));
    clock += 10_001;
    expect(await failure(pool.chat({ model: "openhermes", messages: msgs("hi") }))).toBeInstanceOf(OllamaHttpError);
    expect(await failure(pool.chat({ model: "openhermes", messages: msgs("hi") }))).toBeInstanceOf(NoHealthyHostError);
  });

  it("forgets failures older than a minute, and does not count a missing model against the host", async () => {
    let clock = 0;
    const pool = poolOn([sim.url], { now: () => clock, cooldown: { failuresPerMinute: 2, cooldownMs: 10_000 } });
    expect(await failure(pool.chat({ model: "openhermes", messages: msgs("hi"), headers: { "x-sim-fault": "http500" } }))).toBeInstanceOf(OllamaHttpError);
    clock += 61_000;
    expect(await failure(pool.chat({ model: "openhermes", messages: msgs("hi"), headers: { "x-sim-fault": "http500" } }))).toBeInstanceOf(OllamaHttpError);
    for (let i = 0; i < 3; i++) expect(await failure(pool.chat({ model: "nope", messages: msgs("hi") }))).toBeInstanceOf(ModelMissingError);
    await expect(pool.chat({ model: "openhermes", messages: msgs("hi") })).resolves.toMatchObject({ doneReason: "stop" });
  });
});

describe("host selection", () => {
  let other: Simulator;
  beforeAll(async () => {
    other = await startSimulator({ seed: 8, timeScale: 0 });
  });
  afterAll(() => other.close());
  beforeEach(() => {
    other.reset();
    other.clearFaults();
  });

  it("sends requests to the healthy host when the other is down, and says which is which", async () => {
    const dead = await deadUrl();
    const pool = poolOn([dead, sim.url]);
    for (let i = 0; i < 4; i++) expect((await pool.chat({ model: "openhermes", messages: msgs(`hi ${i}`) })).host).toBe(sim.url);
    const health = await pool.health();
    expect(health.find((h) => h.host === dead)).toMatchObject({ ok: false, simulator: false });
    expect(health.find((h) => h.host === sim.url)).toMatchObject({ ok: true, simulator: true, version: "0.12.0-sim" });
  });

  it("fails over to another host when the chosen one drops the connection before answering", async () => {
    sim.setFaults([{ model: "openhermes", fault: "refuse" }]);
    const pool = poolOn([sim.url, other.url]);
    const hosts = new Set<string>();
    for (let i = 0; i < 4; i++) hosts.add((await pool.chat({ model: "openhermes", messages: msgs(`hi ${i}`) })).host);
    expect([...hosts]).toEqual([other.url]);
  });

  it("prefers the host where the model is loaded", async () => {
    const a = await startSimulator({ timeScale: 0, loaded: ["mathstral"] });
    const b = await startSimulator({ timeScale: 0, loaded: ["openhermes"] });
    try {
      const pool = poolOn([a.url, b.url]);
      for (let i = 0; i < 3; i++) {
        expect((await pool.chat({ model: "openhermes", messages: msgs(`q${i}`) })).host).toBe(b.url);
        expect((await pool.chat({ model: "mathstral:latest", messages: msgs(`q${i}`) })).host).toBe(a.url);
      }
      expect(chatCount(a)).toBe(0);
      expect(chatCount(b, "mathstral:latest")).toBe(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("only uses hosts that have the model, and lists models per host and merged", async () => {
    const small = await startSimulator({ timeScale: 0, models: ["openhermes", "wizardcoder"] });
    try {
      const pool = poolOn([small.url, sim.url]);
      for (let i = 0; i < 3; i++) expect((await pool.chat({ model: "deepseek-coder:6.7b", messages: msgs(`q${i}`) })).host).toBe(sim.url);
      const list = await pool.listModels();
      expect(list.hosts.find((h) => h.host === small.url)?.models).toEqual(["openhermes:latest", "wizardcoder:latest"]);
      expect(list.models.find((m) => m.name === "openhermes:latest")?.hosts.sort()).toEqual([small.url, sim.url].sort());
      expect(list.models.find((m) => m.name === "deepseek-coder:6.7b")?.hosts).toEqual([sim.url]);
    } finally {
      await small.close();
    }
  });
});

describe("concurrency, cancellation and leaks", () => {
  const slowStream = (pool: OllamaPool, signal?: AbortSignal) =>
    pool.chatStream({ model: "openhermes", messages: msgs("Explain closures"), headers: { "x-sim-fault": "slow:3" }, signal });
  const drain = async (it: AsyncIterable<unknown>) => {
    for await (const _ of it);
  };

  it("runs two streams of one model one after the other with perModelConcurrency 1", async () => {
    const pool = poolOn([sim.url], { limits: { perModelConcurrency: 1 } });
    await Promise.all([drain(slowStream(pool)), drain(slowStream(pool))]);
    expect(sim.stats().maxInFlight["openhermes:latest"]).toBe(1);
    const [first, second] = sim.stats().log.filter((l) => l.endpoint === "POST /api/chat");
    expect(second.startedAt).toBeGreaterThanOrEqual(first.endedAt!);
  });

  it("runs them side by side with perModelConcurrency 2 (the control)", async () => {
    const pool = poolOn([sim.url], { limits: { perModelConcurrency: 2 } });
    await Promise.all([drain(slowStream(pool)), drain(slowStream(pool))]);
    expect(sim.stats().maxInFlight["openhermes:latest"]).toBe(2);
  });

  it("does not hold back another model", async () => {
    const pool = poolOn([sim.url], { limits: { perModelConcurrency: 1 } });
    const other = pool.chatStream({ model: "mathstral", messages: msgs("1+1"), headers: { "x-sim-fault": "slow:3" } });
    await Promise.all([drain(slowStream(pool)), drain(other)]);
    const chats = sim.stats().log.filter((l) => l.endpoint === "POST /api/chat");
    expect(chats).toHaveLength(2);
    // Both started before either ended.
    expect(Math.max(...chats.map((c) => c.startedAt))).toBeLessThanOrEqual(Math.min(...chats.map((c) => c.endedAt!)));
  });

  it("gives the model's slot back when the model has finished, not when a slow reader has; what waited arrives in order, as one delta", async () => {
    const pool = poolOn([sim.url], { limits: { perModelConcurrency: 1, queueTimeoutMs: 20_000 } });
    const clean = await deltas(pool, "Explain closures");
    // 1 ms between tokens: the reader takes the first one before the second arrives, then stops reading.
    const slow = pool.chatStream({ model: "openhermes", messages: msgs("Explain closures"), options: { seed: 3 }, headers: { "x-sim-fault": "slow:1" } });
    const first = await slow.next();
    expect(first.value).toEqual({ type: "delta", content: clean[0] });
    // The only slot is free once the model is done, though nobody has read the rest of its answer.
    await expect(pool.chat({ model: "openhermes", messages: msgs("hi") })).resolves.toMatchObject({ doneReason: "stop" });
    const rest: ChatChunk[] = [];
    for (let r = await slow.next(); !r.done; r = await slow.next()) rest.push(r.value);
    // The model had finished: the text it sent while nobody read comes as one delta, the same text in order.
    expect(rest.slice(0, -1)).toEqual([{ type: "delta", content: clean.slice(1).join("") }]);
    expect(rest.at(-1)).toMatchObject({ type: "done", result: { content: clean.join(""), doneReason: "stop" } });
  });

  it("fails a request that may wait only so long for a slot (slotWaitMs) when none frees in time, without leaving it queued; takes a free slot", async () => {
    const pool = poolOn([sim.url], { limits: { perModelConcurrency: 1, queueTimeoutMs: 20_000 } });
    const before = chatCount(sim);
    const holder = pool.chatStream({ model: "openhermes", messages: msgs("Explain closures"), headers: { "x-sim-fault": "slow:20" } });
    expect((await holder.next()).value?.type).toBe("delta"); // holds the only slot
    // 0: only a slot free now.
    const busy = await failure(pool.chat({ model: "openhermes", messages: msgs("hi"), slotWaitMs: 0 }));
    expect(busy).toBeInstanceOf(OllamaTimeoutError);
    expect((busy as OllamaTimeoutError).phase).toBe("queue");
    // A short wait, shorter than the pool's: it leaves the queue when it is over.
    const waited = await failure(pool.chat({ model: "openhermes", messages: msgs("hi"), slotWaitMs: 50 }));
    expect(waited).toBeInstanceOf(OllamaTimeoutError);
    expect(waited).toMatchObject({ phase: "queue" });
    expect((waited as OllamaTimeoutError).timeoutMs).toBe(50);
    // Another model's slot is free: it is asked.
    await expect(pool.chat({ model: "mathstral", messages: msgs("1+1"), slotWaitMs: 0 })).resolves.toMatchObject({ doneReason: "stop" });
    // The refused request left nothing in the queue: once the holder is done, the slot is free.
    await holder.return(undefined);
    await expect(pool.chat({ model: "openhermes", messages: msgs("hi"), slotWaitMs: 0 })).resolves.toMatchObject({ doneReason: "stop" });
    expect(chatCount(sim) - before).toBe(2); // the holder and the last: the refused requests never reached the model
  });

  it("lets a queued request leave on abort, and times out a long wait", async () => {
    const pool = poolOn([sim.url], { limits: { perModelConcurrency: 1, queueTimeoutMs: 100 } });
    const holder = pool.chatStream({ model: "openhermes", messages: msgs("Explain closures"), headers: { "x-sim-fault": "slow:20" } });
    const first = await holder.next(); // holds the only slot
    expect(first.value?.type).toBe("delta");
    const ac = new AbortController();
    const queued = failure(pool.chat({ model: "openhermes", messages: msgs("hi"), signal: ac.signal }));
    ac.abort();
    expect((await queued as Error).name).toBe("AbortError");
    const timedOut = await failure(pool.chat({ model: "openhermes", messages: msgs("hi") }));
    expect(timedOut).toBeInstanceOf(OllamaTimeoutError);
    expect((timedOut as OllamaTimeoutError).phase).toBe("queue");
    await holder.return(undefined);
    expect(chatCount(sim)).toBe(1);
    await expect(pool.chat({ model: "openhermes", messages: msgs("hi") })).resolves.toMatchObject({ doneReason: "stop" });
  });

  it("an AbortSignal stops the stream and the simulator sees the connection closed", async () => {
    const pool = poolOn();
    const ac = new AbortController();
    let got = 0;
    const e = await failure(
      (async () => {
        for await (const c of slowStream(pool, ac.signal)) {
          if (c.type === "delta" && ++got === 2) ac.abort();
        }
      })(),
    );
    expect((e as Error).name).toBe("AbortError");
    expect(got).toBe(2);
    await vi.waitFor(() => expect(sim.stats().closedEarly).toBe(1), { timeout: 5_000 });
    expect(sim.stats().completed).toBeGreaterThanOrEqual(1); // the tags request
    expect(sim.stats().inFlight["openhermes:latest"]).toBe(0);
  });

  it("breaking out of the loop closes the connection too", async () => {
    const pool = poolOn();
    for await (const c of slowStream(pool)) if (c.type === "delta") break;
    await vi.waitFor(() => expect(sim.stats().closedEarly).toBe(1), { timeout: 5_000 });
    // and frees the slot: with one slot, a next request still runs
    const one = poolOn([sim.url], { limits: { perModelConcurrency: 1, queueTimeoutMs: 2_000 } });
    for await (const c of slowStream(one)) if (c.type === "delta") break;
    await expect(one.chat({ model: "openhermes", messages: msgs("hi") })).resolves.toMatchObject({ doneReason: "stop" });
  });

  it("leaves no timers behind after successes, time-outs, aborts and failures", async () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const pool = poolOn([sim.url], { timeouts: { firstTokenMs: 100, totalMs: 60_000 }, limits: { perModelConcurrency: 1, queueTimeoutMs: 30_000 } });
    await pool.chat({ model: "openhermes", messages: msgs("warm up") });
    const baseline = timeouts();
    const ac = new AbortController();
    await Promise.allSettled([
      pool.chat({ model: "openhermes", messages: msgs("a") }),
      pool.chat({ model: "openhermes", messages: msgs("b"), headers: { "x-sim-fault": "timeout" } }),
      pool.chat({ model: "openhermes", messages: msgs("c"), headers: { "x-sim-fault": "http500" } }),
      pool.chat({ model: "openhermes", messages: msgs("d"), headers: { "x-sim-fault": "cut:2" } }),
      pool.chat({ model: "openhermes", messages: msgs("e"), signal: ac.signal }),
      pool.embed({ model: "nomic-embed-text", input: ["x", "y", "z"], batchSize: 2 }),
      pool.assertFits({ model: "openhermes", messages: msgs("f") }),
    ]);
    ac.abort();
    // Timers of other layers (sockets closing in the simulator) may take a moment to settle.
    await vi.waitFor(() => expect(sim.stats().inFlight["openhermes:latest"]).toBe(0), { timeout: 5_000 });
    for (let i = 0; i < 50 && timeouts() > baseline; i++) await new Promise((r) => setImmediate(r));
    expect(timeouts()).toBeLessThanOrEqual(baseline);
  });
});

describe("embeddings, metadata and pull", () => {
  it("embeds in batches, in order", async () => {
    const input = ["alpha beta", "gamma delta", "epsilon", "zeta eta theta", "iota"];
    const r = await poolOn().embed({ model: "nomic-embed-text", input, batchSize: 2 });
    expect(r.dimensions).toBe(768);
    expect(r.embeddings).toHaveLength(5);
    expect(sim.stats().requests["POST /api/embed"]).toBe(3);
    r.embeddings.forEach((v, i) => expect(v).toEqual(simEmbed(input[i], 768)));
  });

  it("shows context length, num_ctx and details; lists loaded models", async () => {
    const pool = poolOn();
    const info = await pool.show("deepseek-coder:6.7b");
    expect(info).toMatchObject({ contextLength: 16_384, numCtx: 8192, capabilities: ["completion", "insert"] });
    expect(info.template).toContain(".Suffix"); // deepseek-coder fills in the middle
    expect(info.details.family).toBe("llama");
    expect(await pool.loadedModels()).toEqual([]);
    await pool.chat({ model: "wizardcoder", messages: msgs("hi"), keepAlive: "2m" });
    const loaded = await pool.loadedModels();
    expect(loaded.map((m) => m.name)).toEqual(["wizardcoder:latest"]);
    expect(loaded[0].expiresAt.getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect(await pool.version(sim.url)).toEqual({ version: "0.12.0-sim", simulator: true });
  });

  it("a burst of requests for a model's details sends one /api/show per model; a failed one is asked again", async () => {
    const pool = poolOn();
    const infos = await Promise.all(Array.from({ length: 60 }, (_, i) => pool.show(i % 2 ? "deepseek-coder:6.7b" : "mathstral")));
    expect(sim.stats().requests["POST /api/show"]).toBe(2);
    expect(new Set(infos.map((x) => x.model))).toEqual(new Set(["deepseek-coder:6.7b", "mathstral"]));
    // A failure is shared by the callers waiting on it, not kept: the next call asks again.
    sim.setFaults([{ model: "openhermes", fault: "http500" }]);
    const failed = await Promise.all(Array.from({ length: 5 }, () => failure(pool.show("openhermes"))));
    failed.forEach((e) => expect(e).toBeInstanceOf(OllamaHttpError));
    expect(sim.stats().requests["POST /api/show"]).toBe(3);
    sim.clearFaults();
    expect((await pool.show("openhermes")).contextLength).toBeGreaterThan(0);
    expect(sim.stats().requests["POST /api/show"]).toBe(4);
  });

  it("pulls with progress, then uses the model; an unknown name fails with 404", async () => {
    const s = await startSimulator({ timeScale: 0, models: ["openhermes"] });
    try {
      const pool = poolOn([s.url]);
      expect(await failure(pool.chat({ model: "mathstral", messages: msgs("1+1") }))).toBeInstanceOf(ModelMissingError);
      const seen: string[] = [];
      let maxCompleted = 0;
      await pool.pull("mathstral", (p) => {
        seen.push(p.status);
        maxCompleted = Math.max(maxCompleted, p.completed ?? 0);
      });
      expect(seen[0]).toBe("pulling manifest");
      expect(seen.at(-1)).toBe("success");
      expect(maxCompleted).toBeGreaterThan(1e9);
      await expect(pool.chat({ model: "mathstral", messages: msgs("1+1") })).resolves.toMatchObject({ host: s.url });
      const e = await failure(pool.pull("no-such-model"));
      expect(e).toBeInstanceOf(OllamaHttpError);
      expect((e as OllamaHttpError).status).toBe(404);
      expect((e as Error).message).toContain("file does not exist");
    } finally {
      await s.close();
    }
  });

  it("getOllamaPool() is one pool per process over OLLAMA_HOST", () => {
    process.env.OLLAMA_HOST = `${sim.url}, http://127.0.0.1:1/`;
    const pool = getOllamaPool();
    expect(pool.hostUrls).toEqual([sim.url, "http://127.0.0.1:1"]);
    expect(getOllamaPool()).toBe(pool);
  });
});
