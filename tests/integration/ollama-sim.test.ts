import { loadProfiles } from "../../bench/routing/data";
import fs from "node:fs";
import path from "node:path";
import { Ollama, type ChatResponse } from "ollama";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { cosine, profilesPath, simEmbed, startSimulator, TASK_TYPES, type Simulator } from "../../sim";

/**
 * The official `ollama` client against the simulator, endpoint by endpoint: what the app
 * relies on (durations in nanoseconds, done_reason, `:latest` names, NDJSON streams, pull
 * progress) must look as it does from a real Ollama.
 */

type Sim = ChatResponse & { sim: { quality: number; good: boolean; task_type: string } };

let sim: Simulator;
let ollama: Ollama;

beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 42, timeScale: 0 });
  ollama = new Ollama({ host: sim.url });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const user = (content: string) => [{ role: "user", content }];

async function collect(model: string, content: string, options: Record<string, unknown> = {}) {
  const stream = await ollama.chat({ model, messages: user(content), stream: true, options });
  const chunks: ChatResponse[] = [];
  for await (const c of stream) chunks.push(c);
  return { chunks, final: chunks.at(-1) as Sim, text: chunks.map((c) => c.message.content).join("") };
}

type ClientError = Error & { status_code?: number; cause?: unknown };
async function errorOf(p: Promise<unknown>): Promise<ClientError> {
  try {
    await p;
  } catch (e) {
    return e as ClientError;
  }
  throw new Error("expected a rejection");
}

describe("root, version and tags", () => {
  it("answers GET / and HEAD / like Ollama", async () => {
    const get = await fetch(`${sim.url}/`);
    expect(await get.text()).toBe("Ollama is running");
    const head = await fetch(`${sim.url}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  it("says it is the simulator in /api/version", async () => {
    expect(await ollama.version()).toEqual({ version: "0.12.0-sim", simulator: true });
  });

  it("lists the six models with :latest where Ollama adds it", async () => {
    const { models } = await ollama.list();
    expect(models.map((m) => m.name).sort()).toEqual([
      "codellama:7b-instruct",
      "deepseek-coder:6.7b",
      "mathstral:latest",
      "nomic-embed-text:latest",
      "openhermes:latest",
      "wizardcoder:latest",
    ]);
    const hermes = models.find((m) => m.name === "openhermes:latest")!;
    expect(hermes.details.format).toBe("gguf");
    expect(hermes.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(hermes.size).toBeGreaterThan(1e9);
  });
});

describe("chat", () => {
  it("streams NDJSON chunks ending with done, done_reason and durations in nanoseconds", async () => {
    const { chunks, final, text } = await collect("deepseek-coder:6.7b", "Write a python function that reverses a string");
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.slice(0, -1).every((c) => c.done === false && c.message.role === "assistant")).toBe(true);
    expect(final.done).toBe(true);
    expect(final.done_reason).toBe("stop");
    expect(final.model).toBe("deepseek-coder:6.7b");
    expect(typeof final.created_at).toBe("string");
    expect(Number.isNaN(Date.parse(final.created_at as unknown as string))).toBe(false);
    // One chunk per generated token.
    expect(final.eval_count).toBe(chunks.length - 1);
    expect(text.length).toBeGreaterThan(20);
    // 46 tokens/s in the profile: about 21.7 ms a token, i.e. ~2.2e7 ns.
    expect(final.eval_duration / final.eval_count).toBeCloseTo(1e9 / 46, -4);
    // First use loads the model (2000 ms in the profile), in ns.
    expect(final.load_duration).toBe(2000 * 1e6);
    expect(final.prompt_eval_count).toBeGreaterThan(0);
    expect(final.prompt_eval_duration).toBeGreaterThanOrEqual(170 * 1e6);
    expect(final.total_duration).toBeGreaterThanOrEqual(final.load_duration + final.prompt_eval_duration + final.eval_duration);
    expect(TASK_TYPES).toContain(final.sim.task_type);

    const again = await collect("deepseek-coder:6.7b", "Write a python function that reverses a string");
    expect(again.final.load_duration).toBe(0);
  });

  it("answers in one JSON object with stream:false, the same text as streamed for the same options.seed", async () => {
    const streamed = await collect("mathstral", "What is 17 + 25?", { seed: 7 });
    const whole = (await ollama.chat({ model: "mathstral", messages: user("What is 17 + 25?"), stream: false, options: { seed: 7 } })) as Sim;
    expect(whole.done).toBe(true);
    expect(whole.message.content).toBe(streamed.text);
    expect(whole.eval_count).toBe(streamed.final.eval_count);
    expect(whole.sim).toEqual(streamed.final.sim);
  });

  it("accepts a name with or without :latest and echoes it", async () => {
    const a = await ollama.chat({ model: "openhermes", messages: user("hello there") });
    const b = await ollama.chat({ model: "openhermes:latest", messages: user("hello there") });
    expect(a.model).toBe("openhermes");
    expect(b.model).toBe("openhermes:latest");
    expect(sim.stats().byModel["openhermes:latest"]["POST /api/chat"]).toBe(2);
  });

  it("stops at num_predict with done_reason length", async () => {
    const { final, chunks } = await collect("wizardcoder", "Design a scalable architecture for a chat system", { num_predict: 5 });
    expect(final.done_reason).toBe("length");
    expect(final.eval_count).toBe(5);
    expect(chunks.length).toBe(6);
  });

  it("caps the prompt at num_ctx", async () => {
    const long = "word ".repeat(4000);
    const small = await ollama.chat({ model: "openhermes", messages: user(long), options: { num_ctx: 512 } });
    const big = await ollama.chat({ model: "openhermes", messages: user(long), options: { num_ctx: 8192 } });
    expect(small.prompt_eval_count).toBe(512);
    expect(big.prompt_eval_count).toBeGreaterThan(4000);
  });

  it("answers 404 with Ollama's message for a model that is not installed", async () => {
    const e = await errorOf(ollama.chat({ model: "llama9", messages: user("hi") }));
    expect(e.name).toBe("ResponseError");
    expect(e.status_code).toBe(404);
    expect(e.message).toBe('model "llama9" not found, try pulling it first');
  });

  it("refuses chat with the embedding model", async () => {
    const e = await errorOf(ollama.chat({ model: "nomic-embed-text", messages: user("hi") }));
    expect(e.status_code).toBe(400);
  });

  it("exposes the simulated quality in the x-sim-quality header and the final chunk", async () => {
    const res = await fetch(`${sim.url}/api/chat`, {
      method: "POST",
      body: JSON.stringify({ model: "openhermes", messages: user("Explain what a closure is"), stream: false, options: { seed: 3 } }),
    });
    const body = (await res.json()) as Sim;
    expect(Number(res.headers.get("x-sim-quality"))).toBe(body.sim.quality);
    expect(res.headers.get("x-sim-good")).toBe(String(body.sim.good));
    expect(body.sim.task_type).toBe("explanation");
    expect(body.sim.quality).toBeGreaterThanOrEqual(0);
    expect(body.sim.quality).toBeLessThanOrEqual(1);
  });
});

describe("answers look like answers", () => {
  const seeds = Array.from({ length: 24 }, (_, i) => i + 1);
  const ask = (model: string, prompt: string, seed: number) =>
    ollama.chat({ model, messages: user(prompt), options: { seed } }) as Promise<Sim>;

  it("gives code task types a closed fenced block in the prompt's language when good, and no closed block when bad", async () => {
    const prompts: [string, string, string][] = [
      ["Write a function in TypeScript that groups users by country", "code_generation", "typescript"],
      ["My python script crashes with a KeyError traceback, please fix it", "debugging", "python"],
      ["Refactor this javascript loop to be faster", "refactoring_optimization", "javascript"],
      ["Implement binary search with its time complexity", "algorithm", "python"],
    ];
    for (const [prompt, type, lang] of prompts) {
      const answers = await Promise.all(seeds.map((s) => ask("deepseek-coder:6.7b", prompt, s)));
      const good = answers.filter((a) => a.sim.good);
      const bad = answers.filter((a) => !a.sim.good);
      expect(good.length, prompt).toBeGreaterThan(0);
      expect(bad.length, prompt).toBeGreaterThan(0);
      for (const a of answers) expect(a.sim.task_type).toBe(type);
      const closedBlock = new RegExp("```" + lang + "\\n[\\s\\S]+?\\n```");
      for (const a of good) expect(a.message.content).toMatch(closedBlock);
      for (const a of bad) expect(a.message.content).not.toMatch(/```\w*\n[\s\S]+?\n```/);
    }
  });

  it("ends maths answers with a number: the right one when good, a wrong one when bad", async () => {
    const answers = await Promise.all(seeds.map((s) => ask("mathstral", "Calculate 12 * 7", s)));
    const last = (a: Sim) => Number(a.message.content.trim().match(/(-?\d+(?:\.\d+)?)$/)?.[1]);
    expect(answers.every((a) => a.sim.task_type === "math")).toBe(true);
    expect(answers.every((a) => Number.isFinite(last(a)))).toBe(true);
    expect(answers.every((a) => /Step 1/.test(a.message.content))).toBe(true);
    const good = answers.filter((a) => a.sim.good);
    const bad = answers.filter((a) => !a.sim.good);
    expect(good.length).toBeGreaterThan(0);
    expect(bad.length).toBeGreaterThan(0);
    for (const a of good) expect(last(a)).toBe(84);
    for (const a of bad) expect(last(a)).not.toBe(84);
  });

  it("answers explanations and general questions in prose", async () => {
    for (const prompt of ["Explain how garbage collection works", "Good morning! Any tips for a productive day?"]) {
      const a = await ask("openhermes", prompt, 1);
      expect(a.message.content).not.toContain("```");
      expect(a.message.content.split(" ").length).toBeGreaterThan(4);
    }
  });

  it("draws good answers at the profile's success rate for (model, task type)", async () => {
    const n = 300;
    const rate = async (model: string) => {
      const out = await Promise.all(
        Array.from({ length: n }, (_, i) => ask(model, `Write a python function number ${i} that parses a log line`, 1000 + i)),
      );
      return out.filter((a) => a.sim.good).length / n;
    };
    // Profile: deepseek-coder 0.72 and codellama 0.40 on code_generation.
    const deepseek = await rate("deepseek-coder:6.7b");
    const codellama = await rate("codellama:7b-instruct");
    expect(deepseek).toBeGreaterThan(0.62);
    expect(deepseek).toBeLessThan(0.82);
    expect(codellama).toBeGreaterThan(0.3);
    expect(codellama).toBeLessThan(0.5);
  });

  it("fills a router classification schema (format) with the task type of the request", async () => {
    const schema = z.toJSONSchema(
      z.object({ task_type: z.enum(TASK_TYPES), confidence: z.number().min(0).max(1), reason: z.string() }),
    );
    const cases: [string, string][] = [
      ["What is the integral of x^2 from 0 to 3?", "math"],
      ["Write a function in Go that reads a file", "code_generation"],
      ["Why does my code throw a null pointer exception?", "debugging"],
      ["Design a system architecture for a scalable video platform", "architecture"],
    ];
    for (const [prompt, expected] of cases) {
      const answers = await Promise.all(
        seeds.slice(0, 12).map(
          (s) =>
            ollama.chat({
              model: "openhermes",
              messages: [{ role: "system", content: "Classify into math, code_generation, debugging…" }, ...user(prompt)],
              format: schema,
              options: { seed: s, temperature: 0 },
            }) as Promise<Sim>,
        ),
      );
      for (const a of answers) {
        const parsed = JSON.parse(a.message.content) as { task_type: string; confidence: number; reason: string };
        expect(TASK_TYPES).toContain(parsed.task_type);
        expect(parsed.confidence).toBeGreaterThanOrEqual(0);
        expect(parsed.confidence).toBeLessThanOrEqual(1);
        expect(typeof parsed.reason).toBe("string");
        if (a.sim.good) expect(parsed.task_type, prompt).toBe(expected);
        else expect(parsed.task_type, prompt).not.toBe(expected);
      }
      expect(answers.filter((a) => a.sim.good).length).toBeGreaterThan(answers.length / 2);
    }
  });

  it("sums up a listed prompt (format) by quoting its most typical item, within the field's length", async () => {
    const schema = z.toJSONSchema(z.object({ name: z.string().max(20), instruction: z.string().max(300) }));
    // Written for this test: three wordings of one wish and one remark about something else.
    const items = ["please add type hints to the functions", "type hints on every function please", "add python type hints to these functions", "the weather is lovely in spring"];
    const a = await ollama.chat({ model: "openhermes", messages: user(`Feedback from 4 users:\n${items.map((t) => `- ${t}`).join("\n")}`), format: schema });
    const parsed = JSON.parse(a.message.content) as { name: string; instruction: string };
    expect(items.slice(0, 3)).toContain(parsed.instruction);
    expect(parsed.name.length).toBeLessThanOrEqual(20);
    expect(parsed.instruction.startsWith(parsed.name)).toBe(true);
    // Without a list there is nothing to quote: the request's first content words, as before.
    const plain = JSON.parse((await ollama.chat({ model: "openhermes", messages: user("Name the colours of the rainbow"), format: schema })).message.content) as { instruction: string };
    expect(plain.instruction).toMatch(/colours/);
    expect(items).not.toContain(plain.instruction);
  });

  it("returns a JSON object for format: json", async () => {
    const a = await ollama.chat({ model: "openhermes", messages: user("List three colours"), format: "json" });
    expect(() => JSON.parse(a.message.content)).not.toThrow();
  });
});

describe("determinism", () => {
  const run = async (seed: number) => {
    const s = await startSimulator({ seed, timeScale: 0 });
    const c = new Ollama({ host: s.url });
    try {
      const out: string[] = [];
      for (const prompt of ["Write a python function to merge dicts", "What is 3 + 4?", "Explain recursion", "Fix this bug: TypeError"])
        for (let attempt = 0; attempt < 3; attempt++) {
          const r = (await c.chat({ model: "codellama:7b-instruct", messages: user(prompt) })) as Sim;
          out.push(`${r.sim.quality}|${r.message.content}`);
        }
      return out;
    } finally {
      await s.close();
    }
  };

  it("gives the same answers for the same seed, and different ones for another seed", async () => {
    const [a, b, c] = await Promise.all([run(5), run(5), run(6)]);
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });

  it("varies repeated attempts of one prompt unless options.seed or temperature 0 pins them", async () => {
    const prompt = user("Write a python function that validates an email address");
    const free = await Promise.all(Array.from({ length: 8 }, () => ollama.chat({ model: "codellama:7b-instruct", messages: prompt }) as Promise<Sim>));
    expect(new Set(free.map((r) => r.sim.quality)).size).toBeGreaterThan(1);
    const pinned = await Promise.all(
      Array.from({ length: 4 }, () => ollama.chat({ model: "codellama:7b-instruct", messages: prompt, options: { seed: 9 } }) as Promise<Sim>),
    );
    expect(new Set(pinned.map((r) => r.message.content)).size).toBe(1);
  });
});

describe("generate", () => {
  it("streams `response` chunks and ends with done and stats", async () => {
    const stream = await ollama.generate({ model: "mathstral:latest", prompt: "Compute 6 * 7", stream: true });
    let text = "";
    let last: Awaited<ReturnType<typeof ollama.generate>> | undefined;
    for await (const c of stream) {
      text += c.response;
      last = c;
    }
    expect(last!.done).toBe(true);
    expect(last!.done_reason).toBe("stop");
    expect(last!.eval_count).toBeGreaterThan(3);
    expect(Array.isArray(last!.context)).toBe(true);
    expect(text).toMatch(/\d+$/);
  });

  it("answers non-streamed", async () => {
    const r = await ollama.generate({ model: "wizardcoder", prompt: "Write a bash script that counts lines" });
    expect(r.done).toBe(true);
    expect(r.response?.length).toBeGreaterThan(10);
    expect(r.load_duration).toBe(4600 * 1e6);
  });
});

describe("embeddings", () => {
  it("embeds a batch into normalised 768-dim vectors; similar texts are closer than unrelated ones", async () => {
    const input = [
      "How do I sort a list of numbers in Python?",
      "How can I sort a Python list of numbers?",
      "The Roman empire fell in 476 AD.",
    ];
    const r = await ollama.embed({ model: "nomic-embed-text", input });
    expect(r.embeddings).toHaveLength(3);
    for (const v of r.embeddings) {
      expect(v).toHaveLength(768);
      expect(Math.hypot(...v)).toBeCloseTo(1, 6);
    }
    const [a, b, c] = r.embeddings;
    // Relative, not absolute: like a real model's, the stand-in's baseline for unrelated texts is its own.
    expect(cosine(a, b) - cosine(a, c)).toBeGreaterThan(0.3);
    // The exported function is what the endpoint uses.
    expect(cosine(a, simEmbed(input[0], 768))).toBeCloseTo(1, 9);
    expect(r.prompt_eval_count).toBeGreaterThan(0);
  });

  it("embeds a single string and answers the legacy /api/embeddings", async () => {
    const one = await ollama.embed({ model: "nomic-embed-text:latest", input: "hello world" });
    expect(one.embeddings).toHaveLength(1);
    const legacy = await ollama.embeddings({ model: "nomic-embed-text", prompt: "hello world" });
    expect(legacy.embedding).toHaveLength(768);
    expect(cosine(legacy.embedding, one.embeddings[0])).toBeCloseTo(1, 9);
  });

  it("is deterministic and unit-length for empty text too", () => {
    expect(simEmbed("same text")).toEqual(simEmbed("same text"));
    expect(Math.hypot(...simEmbed(""))).toBeCloseTo(1, 9);
  });
});

describe("ps, keep_alive and show", () => {
  it("lists a model as loaded after first use, with expires_at from keep_alive", async () => {
    expect((await ollama.ps()).models).toHaveLength(0);
    await ollama.chat({ model: "openhermes", messages: user("hi"), keep_alive: "1m" });
    await ollama.chat({ model: "mathstral", messages: user("hi") });
    const { models } = await ollama.ps();
    const byName = Object.fromEntries(models.map((m) => [m.name, m]));
    expect(Object.keys(byName).sort()).toEqual(["mathstral:latest", "openhermes:latest"]);
    const inMs = (m: (typeof models)[number]) => Date.parse(m.expires_at as unknown as string) - Date.now();
    expect(inMs(byName["openhermes:latest"])).toBeGreaterThan(50_000);
    expect(inMs(byName["openhermes:latest"])).toBeLessThanOrEqual(60_000);
    expect(inMs(byName["mathstral:latest"])).toBeGreaterThan(4 * 60_000); // default 5m
    expect(byName["mathstral:latest"].size_vram).toBeGreaterThan(0);
  });

  it("unloads with keep_alive 0 and keeps a model for ever with a negative one", async () => {
    await ollama.chat({ model: "openhermes", messages: user("hi"), keep_alive: 0 });
    await ollama.chat({ model: "wizardcoder", messages: user("hi"), keep_alive: -1 });
    const { models } = await ollama.ps();
    expect(models.map((m) => m.name)).toEqual(["wizardcoder:latest"]);
    expect(Date.parse(models[0].expires_at as unknown as string)).toBeGreaterThan(Date.now() + 100 * 365 * 24 * 3600e3);
  });

  it("loads a model with an empty chat (done_reason load) and starts with the `loaded` option", async () => {
    const r = await ollama.chat({ model: "deepseek-coder:6.7b", messages: [] });
    expect(r.done_reason).toBe("load");
    expect((await ollama.ps()).models.map((m) => m.name)).toEqual(["deepseek-coder:6.7b"]);
    const s = await startSimulator({ timeScale: 0, loaded: ["codellama:7b-instruct"] });
    try {
      expect((await new Ollama({ host: s.url }).ps()).models.map((m) => m.name)).toEqual(["codellama:7b-instruct"]);
    } finally {
      await s.close();
    }
  });

  it("shows the trained context length in model_info and the default num_ctx in parameters", async () => {
    const show = await ollama.show({ model: "openhermes" });
    const info = show.model_info as unknown as Record<string, unknown>;
    expect(info["general.architecture"]).toBe("llama");
    expect(info["llama.context_length"]).toBe(32768);
    expect(show.parameters).toMatch(/^num_ctx\s+8192$/m);
    expect(show.template).toContain("<|im_start|>");
    expect(show.capabilities).toEqual(["completion"]);
    // A code model whose template has .Suffix fills in the middle; asking another to is a 400, as in Ollama.
    const coder = await ollama.show({ model: "deepseek-coder:6.7b" });
    expect(coder.capabilities).toEqual(["completion", "insert"]);
    const fim = await ollama.generate({ model: "deepseek-coder:6.7b", prompt: "def add(a, b):\n    ", suffix: "\n", stream: false });
    expect(fim.response?.length).toBeGreaterThan(0);
    await expect(ollama.generate({ model: "openhermes", prompt: "x", suffix: "y", stream: false })).rejects.toMatchObject({ status_code: 400, error: expect.stringContaining("does not support insert") });
    const wiz = await ollama.show({ model: "wizardcoder:latest" });
    expect((wiz.model_info as unknown as Record<string, unknown>)["llama.context_length"]).toBe(8192);
    const emb = await ollama.show({ model: "nomic-embed-text" });
    expect(emb.capabilities).toEqual(["embedding"]);
    expect((await errorOf(ollama.show({ model: "nope" }))).status_code).toBe(404);
  });
});

describe("pull", () => {
  it("streams progress with total/completed and ends with success; the model is then installed", async () => {
    const s = await startSimulator({ timeScale: 0, models: ["openhermes"] });
    try {
      const c = new Ollama({ host: s.url });
      expect((await c.list()).models.map((m) => m.name)).toEqual(["openhermes:latest"]);
      const lines = [];
      for await (const p of await c.pull({ model: "mathstral", stream: true })) lines.push(p);
      expect(lines[0].status).toBe("pulling manifest");
      expect(lines.at(-1)!.status).toBe("success");
      const progress = lines.filter((l) => l.total);
      expect(progress.length).toBeGreaterThan(2);
      const completed = progress.map((l) => l.completed);
      expect(completed).toEqual([...completed].sort((x, y) => x - y));
      expect(completed.at(-1)).toBe(progress[0].total);
      expect((await c.list()).models.map((m) => m.name).sort()).toEqual(["mathstral:latest", "openhermes:latest"]);
      await expect(c.chat({ model: "mathstral", messages: user("1 + 1") })).resolves.toMatchObject({ done: true });
    } finally {
      await s.close();
    }
  });

  it("fails a pull of a name the registry does not have with an error line", async () => {
    const stream = await ollama.pull({ model: "not-a-model", stream: true });
    const seen: string[] = [];
    const e = await errorOf(
      (async () => {
        for await (const p of stream) seen.push(p.status);
      })(),
    );
    expect(seen).toEqual(["pulling manifest"]);
    expect(e.message).toBe("pull model manifest: file does not exist");
    expect((await errorOf(ollama.pull({ model: "not-a-model" }))).status_code).toBe(500);
  });
});

describe("faults", () => {
  const withFault = (fault: string, model = "openhermes", body: Record<string, unknown> = {}) =>
    fetch(`${sim.url}/api/chat`, {
      method: "POST",
      headers: { "x-sim-fault": fault },
      body: JSON.stringify({ model, messages: user("Explain closures in detail"), ...body }),
    });

  it("http500 and unknown_model answer like Ollama", async () => {
    const c = new Ollama({ host: sim.url, headers: { "x-sim-fault": "http500" } });
    const e = await errorOf(c.chat({ model: "openhermes", messages: user("hi") }));
    expect(e.status_code).toBe(500);
    const missing = await withFault("unknown_model");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'model "openhermes" not found, try pulling it first' });
  });

  it("refuse destroys the connection: fetch fails without a response", async () => {
    const e = await errorOf(withFault("refuse"));
    expect(e).toBeInstanceOf(TypeError);
  });

  it("timeout never answers until the client gives up", async () => {
    const e = await errorOf(
      fetch(`${sim.url}/api/chat`, {
        method: "POST",
        headers: { "x-sim-fault": "timeout" },
        body: JSON.stringify({ model: "openhermes", messages: user("hi") }),
        signal: AbortSignal.timeout(150),
      }),
    );
    expect(e.name).toBe("TimeoutError");
    await vi.waitFor(() => expect(sim.stats().closedEarly).toBe(1), { timeout: 5_000 });
    expect(sim.stats().inFlight["openhermes:latest"]).toBe(0);
  });

  it("cut:N delivers N chunks and then breaks the connection", async () => {
    const c = new Ollama({ host: sim.url, headers: { "x-sim-fault": "cut:3" } });
    const got: string[] = [];
    const e = await errorOf(
      (async () => {
        for await (const chunk of await c.chat({ model: "openhermes", messages: user("Explain closures"), stream: true })) got.push(chunk.message.content);
      })(),
    );
    expect(got).toHaveLength(3);
    expect(e).toBeInstanceOf(TypeError); // undici: "terminated"
  });

  it("malformed:N sends one bad line, which the official client only logs and skips", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const c = new Ollama({ host: sim.url, headers: { "x-sim-fault": "malformed:2" } });
      const clean = await collect("openhermes", "Explain closures", { seed: 1 });
      const chunks: ChatResponse[] = [];
      for await (const chunk of await c.chat({ model: "openhermes", messages: user("Explain closures"), stream: true, options: { seed: 1 } }))
        chunks.push(chunk);
      expect(chunks.map((x) => x.message.content).join("")).toBe(clean.text);
      expect(warn).toHaveBeenCalledWith("invalid json: ", expect.stringContaining('"role":"assist'));
    } finally {
      warn.mockRestore();
    }
  });

  it("refusal and empty change the content", async () => {
    const refusal = (await (await withFault("refusal", "openhermes", { stream: false })).json()) as Sim;
    expect(refusal.message.content).toBe("I'm sorry, but I can't help with that.");
    const empty = (await (await withFault("empty", "openhermes", { stream: false })).json()) as Sim;
    expect(empty.message.content).toBe("");
    expect(empty.eval_count).toBe(0);
  });

  it("slow:MS adds MS per token to eval_duration", async () => {
    const base = (await (await withFault("slow:0", "openhermes", { stream: false, options: { seed: 2 } })).json()) as Sim;
    const slow = (await (await withFault("slow:2", "openhermes", { stream: false, options: { seed: 2 } })).json()) as Sim;
    expect(slow.eval_count).toBe(base.eval_count);
    expect(slow.eval_duration - base.eval_duration).toBe((base.eval_count - 1) * 2 * 1e6);
  });

  it("per-model rules via the admin endpoint, cleared with DELETE", async () => {
    const set = await fetch(`${sim.url}/__sim/faults`, { method: "POST", body: JSON.stringify({ model: "wizardcoder", fault: "http500" }) });
    expect(set.status).toBe(200);
    expect((await errorOf(ollama.chat({ model: "wizardcoder", messages: user("hi") }))).status_code).toBe(500);
    await expect(ollama.chat({ model: "openhermes", messages: user("hi") })).resolves.toMatchObject({ done: true });
    await fetch(`${sim.url}/__sim/faults`, { method: "DELETE" });
    await expect(ollama.chat({ model: "wizardcoder", messages: user("hi") })).resolves.toMatchObject({ done: true });
    const bad = await fetch(`${sim.url}/__sim/faults`, { method: "POST", body: JSON.stringify({ fault: "explode" }) });
    expect(bad.status).toBe(400);
  });

  it("a rule with a rate fails that share of requests, the same ones for the same seed", async () => {
    const pattern = async () => {
      const s = await startSimulator({ seed: 11, timeScale: 0, faults: [{ model: "openhermes", fault: "http500", rate: 0.5 }] });
      const c = new Ollama({ host: s.url });
      try {
        const out: boolean[] = [];
        for (let i = 0; i < 40; i++) out.push(await c.chat({ model: "openhermes", messages: user(`q${i}`) }).then(() => true, () => false));
        return out;
      } finally {
        await s.close();
      }
    };
    const [a, b] = await Promise.all([pattern(), pattern()]);
    expect(a).toEqual(b);
    const failures = a.filter((ok) => !ok).length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
  });

  it("stops listening and listens again on the same port", async () => {
    const s = await startSimulator({ timeScale: 0 });
    const c = new Ollama({ host: s.url });
    try {
      await s.setListening(false);
      const e = await errorOf(c.version());
      expect((e.cause as { code?: string }).code).toBe("ECONNREFUSED");
      await s.setListening(true);
      await expect(c.version()).resolves.toMatchObject({ simulator: true });
    } finally {
      await s.close();
    }
  });
});

describe("admin", () => {
  it("counts requests per endpoint and model, and resets", async () => {
    await ollama.chat({ model: "openhermes", messages: user("hi") });
    await ollama.embed({ model: "nomic-embed-text", input: ["a"] });
    await ollama.list();
    const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as ReturnType<Simulator["stats"]>;
    expect(stats.requests["POST /api/chat"]).toBe(1);
    expect(stats.requests["POST /api/embed"]).toBe(1);
    expect(stats.requests["GET /api/tags"]).toBe(1);
    expect(stats.byModel["nomic-embed-text:latest"]["POST /api/embed"]).toBe(1);
    expect(stats.completed).toBe(3);
    await fetch(`${sim.url}/__sim/reset`, { method: "POST" });
    expect(sim.stats().requests).toEqual({});
    expect((await ollama.ps()).models).toHaveLength(0);
  });

  it("one profile file serves the simulator and the benchmark, and the committed copy matches the shared one where the workplace has it", () => {
    const copy = path.join(import.meta.dirname, "../../sim/model-profiles.json");
    const committed = JSON.parse(fs.readFileSync(copy, "utf8"));
    const read = JSON.parse(fs.readFileSync(profilesPath(), "utf8")) as { simulated: Record<string, { success: unknown }> };
    const bench = loadProfiles().simulated;
    expect(Object.keys(bench).sort()).toEqual(Object.keys(read.simulated).sort());
    for (const [m, p] of Object.entries(read.simulated)) expect(bench[m].success).toEqual(p.success);
    expect(Object.keys(committed.simulated).sort()).toEqual(["codellama:7b-instruct", "deepseek-coder:6.7b", "mathstral", "openhermes", "wizardcoder"]);
    const shared = path.resolve(import.meta.dirname, "../../../shared/data/model-profiles.json");
    expect(fs.existsSync(shared) ? JSON.parse(fs.readFileSync(shared, "utf8")) : committed).toEqual(committed);
  });
});
