import { describe, expect, it } from "vitest";
import { inProcessApp, type Routes } from "../support/api-app";
import { POST as chat } from "../../app/api/chat/route";
import { POST as generate } from "../../app/api/generate/route";
import { POST as chatCompletions } from "../../app/v1/chat/completions/route";
import { POST as completions } from "../../app/v1/completions/route";

/**
 * The client's limits on an answer, in both dialects: a token limit (OpenAI's `max_tokens` /
 * `max_completion_tokens`, Ollama's `options.num_predict`) and stop strings. An answer the
 * client's own limit cut off is what the client asked for: it says `length`, no other model
 * is asked, and nothing counts it as a truncated (failed) answer.
 */
const routes: Routes = {
  "POST /api/chat": chat,
  "POST /api/generate": generate,
  "POST /v1/chat/completions": chatCompletions,
  "POST /v1/completions": completions,
};
const app = inProcessApp(routes, "limits");

const LONG = "Explain in detail how garbage collection works in Go, with the phases of the collector.";

type Recorded = { status: string; completion_tokens: number | null; routing_decision: { attempts: { ok: boolean; reason: string | null }[] }; feedback: { auto?: { truncated?: boolean } } };
async function recorded(id: string): Promise<Recorded> {
  const { rows } = await app.env.db.query<Recorded>("select status, completion_tokens, routing_decision, feedback from interactions where id = $1", [id]);
  return rows[0];
}

async function unlimitedTokens(model: string): Promise<number> {
  const r = await app.openai().chat.completions.create({ model, messages: [{ role: "user", content: LONG }] });
  expect(r.choices[0].finish_reason).toBe("stop");
  return r.usage!.completion_tokens;
}

const post = (path: string, body: unknown) =>
  app.fetch(`http://app.test${path}`, { method: "POST", headers: { authorization: `Bearer ${app.key}`, "content-type": "application/json" }, body: JSON.stringify(body) });

/** A 400 naming the field, as both dialects answer bad input. */
async function refusedNaming(path: string, body: unknown, field: string) {
  const r = await post(path, body);
  expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400);
  expect(await r.text()).toContain(field);
}
const recordedCount = async () => (await app.env.db.query<{ n: number }>("select count(*)::int as n from interactions")).rows[0].n;

describe("the client's limits on an answer", () => {
  it("OpenAI max_tokens and max_completion_tokens: the answer stops there with finish_reason length, one attempt, not counted as truncated", async () => {
    const client = app.openai();
    // The same question unlimited is longer than the limits below, so the limit is what ends it.
    expect(await unlimitedTokens("openhermes")).toBeGreaterThan(12);
    for (const limit of [{ max_tokens: 5 }, { max_completion_tokens: 7 }]) {
      const cap = limit.max_tokens ?? limit.max_completion_tokens!;
      for (const model of ["openhermes", "elite"]) {
        const r = await client.chat.completions.create({ model, messages: [{ role: "user", content: LONG }], ...limit });
        expect(r.choices[0].finish_reason).toBe("length");
        expect(r.usage!.completion_tokens).toBeLessThanOrEqual(cap);
        expect(r.choices[0].message.content!.length).toBeGreaterThan(0);
        const id = (r as unknown as { elite: { interaction_id: string; fallbacks: unknown[] } }).elite;
        expect(id.fallbacks).toEqual([]);
        const row = await recorded(id.interaction_id);
        expect(row.status).toBe("completed");
        expect(row.routing_decision.attempts).toEqual([expect.objectContaining({ ok: true, reason: null })]);
        expect(row.feedback.auto?.truncated).toBe(false);
      }
    }
  });

  it("streamed: the last chunk says length; a limit the answer stays under says stop", async () => {
    const client = app.openai();
    let text = "";
    let finish: string | null = null;
    for await (const part of await client.chat.completions.create({ model: "openhermes", messages: [{ role: "user", content: LONG }], max_tokens: 4, stream: true, stream_options: { include_usage: true } })) {
      text += part.choices[0]?.delta?.content ?? "";
      finish = part.choices[0]?.finish_reason ?? finish;
      if (part.usage) expect(part.usage.completion_tokens).toBeLessThanOrEqual(4);
    }
    expect(text.length).toBeGreaterThan(0);
    expect(finish).toBe("length");
    const roomy = await client.chat.completions.create({ model: "openhermes", messages: [{ role: "user", content: "hi" }], max_tokens: 100_000 });
    expect(roomy.choices[0].finish_reason).toBe("stop");
  });

  it("Ollama options.num_predict (chat and generate): done_reason length within it; -1 is no limit", async () => {
    const ollama = app.ollama();
    const c = await ollama.chat({ model: "openhermes", messages: [{ role: "user", content: LONG }], options: { num_predict: 6 }, stream: false });
    expect(c.done_reason).toBe("length");
    expect(c.eval_count).toBeLessThanOrEqual(6);
    const g = await ollama.generate({ model: "openhermes", prompt: LONG, options: { num_predict: 6 }, stream: false });
    expect(g.done_reason).toBe("length");
    expect(g.eval_count).toBeLessThanOrEqual(6);
    const free = await ollama.chat({ model: "openhermes", messages: [{ role: "user", content: LONG }], options: { num_predict: -1 }, stream: false });
    expect(free.done_reason).toBe("stop");
    expect(free.eval_count).toBeGreaterThan(6);
  });

  it("stop strings end the answer before them, in both dialects and the legacy completions", async () => {
    // The simulated answers to this question name its topic early on: a stop there keeps what came before.
    const STOP = "garbage";
    const full = await app.openai().chat.completions.create({ model: "openhermes", messages: [{ role: "user", content: LONG }] });
    expect(full.choices[0].message.content).toContain(STOP);
    const answers = [
      (await app.openai().chat.completions.create({ model: "openhermes", messages: [{ role: "user", content: LONG }], stop: [STOP] })).choices[0].message.content!,
      (await app.openai().chat.completions.create({ model: "elite", messages: [{ role: "user", content: LONG }], stop: STOP })).choices[0].message.content!,
      (await app.ollama().chat({ model: "openhermes", messages: [{ role: "user", content: LONG }], options: { stop: [STOP] }, stream: false })).message.content,
      (await app.ollama().generate({ model: "openhermes", prompt: LONG, options: { stop: [STOP] }, stream: false })).response,
      (await app.openai().completions.create({ model: "openhermes", prompt: LONG, stop: STOP, max_tokens: 500 })).choices[0].text,
    ];
    for (const text of answers) {
      expect(text?.length).toBeGreaterThan(0);
      expect(text).not.toContain(STOP);
    }
  });

  it("a limit that is not a limit is a 400 naming the field, and nothing is recorded", async () => {
    const before = await recordedCount();
    const messages = [{ role: "user", content: "hi" }];
    for (const [path, body, field] of [
      ["/v1/chat/completions", { model: "elite", messages, max_tokens: 0 }, "max_tokens"],
      ["/v1/chat/completions", { model: "elite", messages, max_completion_tokens: 2.5 }, "max_completion_tokens"],
      ["/v1/chat/completions", { model: "elite", messages, stop: Array.from({ length: 17 }, (_, i) => `s${i}`) }, "stop"],
      ["/v1/chat/completions", { model: "elite", messages, stop: 42 }, "stop"],
      // The legacy completions endpoint reads the chat API's name for the limit too: checked there as well (an unchecked `[]` made every model answer nothing, a 503).
      ["/v1/completions", { model: "elite", prompt: "hi", max_completion_tokens: [] }, "max_completion_tokens"],
      ["/v1/completions", { model: "elite", prompt: "hi", stream: true, max_completion_tokens: 0 }, "max_completion_tokens"],
      ["/api/chat", { model: "elite", messages, options: { num_predict: "ten" } }, "options.num_predict"],
      ["/api/chat", { model: "elite", messages, options: { stop: [1, 2] } }, "options.stop"],
      // Options Ollama would refuse with a server error (every model "failing") are refused here, naming the option.
      ["/api/generate", { model: "elite", prompt: "def add(a, b):\n    ", suffix: "\n", options: { temperature: "hot" } }, "options.temperature"],
      ["/api/chat", { model: "elite", messages, options: { num_ctx: "8k" } }, "options.num_ctx"],
      ["/api/chat", { model: "elite", messages, options: { use_mmap: "yes" } }, "options.use_mmap"],
      ["/api/generate", { model: "elite", prompt: "def add(a, b):\n    ", suffix: "\n", keep_alive: "a while" }, "keep_alive"],
    ] as const)
      await refusedNaming(path, body, field);
    expect(await recordedCount()).toBe(before);
  });

  it("sampling the orchestrator chooses itself: accepted within OpenAI's ranges, a 400 naming the field outside them, as OpenAI answers", async () => {
    const before = await recordedCount();
    const messages = [{ role: "user", content: "hi" }];
    for (const [path, body, field] of [
      ["/v1/chat/completions", { model: "elite", messages, temperature: 2.5 }, "temperature"],
      ["/v1/chat/completions", { model: "elite", messages, temperature: -0.1 }, "temperature"],
      ["/v1/chat/completions", { model: "elite", messages, top_p: 1.5 }, "top_p"],
      ["/v1/chat/completions", { model: "elite", messages, presence_penalty: 3 }, "presence_penalty"],
      ["/v1/chat/completions", { model: "elite", messages, frequency_penalty: "high" }, "frequency_penalty"],
      ["/v1/chat/completions", { model: "elite", messages, seed: 1.5 }, "seed"],
      ["/v1/completions", { model: "elite", prompt: "hi", presence_penalty: -3 }, "presence_penalty"],
    ] as const)
      await refusedNaming(path, body, field);
    expect(await recordedCount()).toBe(before);
    const ok = await app.openai().chat.completions.create({ model: "openhermes", messages: [{ role: "user", content: "hi" }], temperature: 2, top_p: 0, presence_penalty: -2, frequency_penalty: 2, seed: 7 });
    expect(ok.choices[0].message.content?.length).toBeGreaterThan(0);
  });
});
