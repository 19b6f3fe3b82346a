import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { Ollama, type ChatResponse } from "ollama";
import OpenAI from "openai";

/**
 * The Ollama- and OpenAI-compatible endpoints with the official clients against the running
 * app: keys made on Settings, streaming and not, every error, feedback steering the routing.
 * The simulator's faults used here (`empty`, `refusal`, one `cut`) fail models without
 * putting the only Ollama host into its cool-down.
 */

const SIM = process.env.E2E_SIM_URL ?? "http://127.0.0.1:11531";
const ROSTER = ["openhermes", "mathstral", "deepseek-coder:6.7b", "codellama:7b-instruct", "wizardcoder"];

interface Elite {
  interaction_id: string;
  model: string;
  role: string | null;
  task_type: string;
  task_confidence: number;
  reason: string;
  fallbacks: { model: string; reason: string }[];
}
const eliteOf = (o: unknown) => (o as { elite?: Elite }).elite;

test.describe.configure({ mode: "serial" });

let key = "";
let appUrl = "";
const ollama = (k: string | null = key) => new Ollama({ host: appUrl, headers: k ? { Authorization: `Bearer ${k}` } : {} });
const openai = (k = key) => new OpenAI({ baseURL: `${appUrl}/v1`, apiKey: k, maxRetries: 0 });

async function createKey(page: Page, name: string): Promise<string> {
  await page.goto("/settings");
  await page.getByTestId("api-key-name").fill(name);
  await page.getByTestId("api-key-create").click();
  const secret = (await page.getByTestId("api-key-secret").innerText()).trim();
  expect(secret).toMatch(/^eca_[A-Za-z0-9_-]{43}$/);
  return secret;
}

async function faults(request: APIRequestContext, list: { model?: string; fault: string }[]) {
  expect((await request.post(`${SIM}/__sim/faults`, { data: { faults: list } })).ok()).toBe(true);
}

test.afterEach(async ({ request }) => {
  await request.delete(`${SIM}/__sim/faults`);
});

test("create an API key on Settings: the secret is shown once, then only its prefix", async ({ page, baseURL }, testInfo) => {
  appUrl = baseURL!;
  key = await createKey(page, "e2e editor");
  await expect(page.getByTestId("api-key-created")).toContainText("shown only once");
  const row = page.locator(`[data-testid="api-key-row"][data-prefix="${key.slice(0, 12)}"]`);
  await expect(row).toContainText("e2e editor");
  await expect(row.getByTestId("api-key-status")).toHaveText("active");
  await expect(row.getByTestId("api-key-last-used")).toHaveText("never");
  await page.screenshot({ path: testInfo.outputPath("settings-api-key-created.png"), fullPage: true });

  await page.reload();
  await expect(page.getByTestId("api-key-secret")).toHaveCount(0);
  await expect(page.getByTestId("api-keys")).not.toContainText(key);
  await expect(page.getByTestId("api-keys")).toContainText(`${key.slice(0, 12)}…`);
});

test("the ollama client lists elite and the roster, and chats streaming and not", async ({ page }) => {
  const client = ollama();
  const names = (await client.list()).models.map((m) => m.name);
  expect(names[0]).toBe("elite:latest");
  for (const tag of ROSTER) expect(names).toContain(tag.includes(":") ? tag : `${tag}:latest`);

  // Streaming (the default): content deltas, then a final chunk with the counts and the routing.
  const chunks: ChatResponse[] = [];
  for await (const c of await client.chat({ model: "elite", stream: true, messages: [{ role: "user", content: "Write a Python function that checks whether a string is a palindrome." }] })) {
    chunks.push(c);
  }
  const last = chunks[chunks.length - 1];
  expect(chunks.length).toBeGreaterThan(1); // content, then the final chunk (text that waited may come as one delta)
  expect(chunks.slice(0, -1).every((c) => !c.done)).toBe(true);
  expect(last).toMatchObject({ done: true, done_reason: "stop" });
  expect(last.eval_count).toBeGreaterThan(0);
  expect(last.prompt_eval_count).toBeGreaterThan(0);
  expect(last.total_duration).toBeGreaterThanOrEqual(last.eval_duration);
  const text = chunks.map((c) => c.message.content).join("");
  expect(text.length).toBeGreaterThan(20);
  const first = eliteOf(chunks[0])!;
  const final = eliteOf(last)!;
  expect(final.interaction_id).toBe(first.interaction_id);
  expect(final).toMatchObject({ task_type: "code_generation", fallbacks: [] });
  expect(ROSTER).toContain(final.model);
  expect(last.model).toBe(final.model);

  // Not streaming: one object with the whole answer.
  const whole = await client.chat({ model: "elite", stream: false, messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Explain what a closure is in JavaScript." }] });
  expect(whole.done).toBe(true);
  expect(whole.message).toMatchObject({ role: "assistant" });
  expect(whole.message.content.length).toBeGreaterThan(20);
  expect(eliteOf(whole)?.task_type).toBe("explanation");

  // A roster tag forces that model.
  const forced = await client.chat({ model: "mathstral", stream: false, messages: [{ role: "user", content: "What is 17 * 23?" }] });
  expect(eliteOf(forced)).toMatchObject({ model: "mathstral", reason: "forced" });

  // The key is now shown as used.
  await page.goto("/settings");
  await expect(page.locator(`[data-testid="api-key-row"][data-prefix="${key.slice(0, 12)}"]`).getByTestId("api-key-last-used")).not.toHaveText("never");
});

test("the openai client lists the models and completes streaming and not, with the routing in headers and body", async () => {
  const client = openai();
  const ids = (await client.models.list()).data.map((m) => m.id);
  expect(ids).toEqual(["elite", ...ROSTER]);

  const { data, response } = await client.chat.completions
    .create({ model: "elite", messages: [{ role: "user", content: "Write a TypeScript function that debounces another function." }] })
    .withResponse();
  expect(data.object).toBe("chat.completion");
  expect(data.choices[0].finish_reason).toBe("stop");
  expect(data.choices[0].message.content!.length).toBeGreaterThan(20);
  expect(data.usage!.completion_tokens).toBeGreaterThan(0);
  expect(data.usage!.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);
  const elite = eliteOf(data)!;
  expect(response.headers.get("x-elite-interaction-id")).toBe(elite.interaction_id);
  expect(response.headers.get("x-elite-model")).toBe(data.model);
  expect(data.model).toBe(elite.model);
  expect(data.id).toBe(`chatcmpl-${elite.interaction_id}`);

  const stream = await client.chat.completions.create({
    model: "elite",
    stream: true,
    stream_options: { include_usage: true },
    messages: [
      { role: "user", content: "What is a monad?" },
      { role: "assistant", content: "A design pattern for sequencing computations." },
      { role: "user", content: "Explain how a hash map handles collisions." },
    ],
  });
  let text = "";
  const finishes: (string | null)[] = [];
  let usage: OpenAI.CompletionUsage | null | undefined;
  const elites: Elite[] = [];
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? "";
    if (chunk.choices[0]) finishes.push(chunk.choices[0].finish_reason);
    if (chunk.usage) usage = chunk.usage;
    const e = eliteOf(chunk);
    if (e) elites.push(e);
  }
  expect(text.length).toBeGreaterThan(20);
  expect(finishes.filter(Boolean)).toEqual(["stop"]);
  expect(finishes[finishes.length - 1]).toBe("stop");
  expect(usage!.completion_tokens).toBeGreaterThan(0);
  expect(elites.length).toBe(2); // the first chunk and the one with finish_reason
  // The final chunk carries the routing the first one announced. The request is read from the
  // last user turn: a concept to understand, of a data structure (either reading is fair).
  expect(elites[1]).toMatchObject({ interaction_id: elites[0].interaction_id, task_type: elites[0].task_type });
  expect(["explanation", "algorithm"]).toContain(elites[0].task_type);
});

test("a model that breaks mid-stream: a notice, the next model's answer, and the trail in the final chunk", async ({ request }) => {
  await faults(request, [{ model: "deepseek-coder:6.7b", fault: "cut:3" }]);
  const chunks: ChatResponse[] = [];
  for await (const c of await ollama().chat({ model: "deepseek-coder:6.7b", stream: true, messages: [{ role: "user", content: "Write a Go function that reverses a slice." }] })) chunks.push(c);
  const text = chunks.map((c) => c.message.content).join("");
  expect(text).toMatch(/\[elite: deepseek-coder:6\.7b broke off \(stream_broken\); \S+ answers from the start\]/);
  const final = eliteOf(chunks[chunks.length - 1])!;
  expect(final.model).not.toBe("deepseek-coder:6.7b");
  expect(final.fallbacks).toEqual([{ model: "deepseek-coder:6.7b", reason: "stream_broken" }]);
});

test("errors: missing or revoked key 401, malformed body 400 naming the field, unknown model 404, over-long prompt 413", async ({ page, request }) => {
  const msg = [{ role: "user" as const, content: "Hello" }];

  // 401: no key, a key that never existed, a revoked key — with each client's error.
  await expect(ollama(null).chat({ model: "elite", messages: msg })).rejects.toMatchObject({ status_code: 401, error: expect.stringContaining("Missing API key") });
  await expect(ollama(null).list()).rejects.toMatchObject({ status_code: 401 });
  await expect(openai("eca_" + "x".repeat(43)).chat.completions.create({ model: "elite", messages: msg })).rejects.toMatchObject({ status: 401, code: "invalid_api_key" });
  const doomed = await createKey(page, "to revoke");
  expect((await ollama(doomed).list()).models.length).toBe(6);
  await page.locator(`[data-testid="api-key-row"][data-prefix="${doomed.slice(0, 12)}"]`).getByTestId("api-key-revoke").click();
  await expect(page.getByTestId("api-key-revoked")).toContainText(doomed.slice(0, 12));
  await expect(page.locator(`[data-testid="api-key-row"][data-prefix="${doomed.slice(0, 12)}"]`).getByTestId("api-key-status")).toContainText("revoked");
  await expect(ollama(doomed).chat({ model: "elite", messages: msg })).rejects.toMatchObject({ status_code: 401, error: "Invalid or revoked API key." });
  await expect(openai(doomed).models.list()).rejects.toMatchObject({ status: 401 });
  const feedback401 = await request.post("/api/feedback", { headers: { authorization: `Bearer ${doomed}` }, data: { interaction_id: crypto.randomUUID(), rating: 5 } });
  expect(feedback401.status()).toBe(401);

  // 400 naming the field.
  await expect(ollama().chat({ model: "elite", messages: [{ role: "robot", content: "hi" }] })).rejects.toMatchObject({ status_code: 400, error: expect.stringMatching(/^messages\.0\.role: /) });
  await expect(ollama().chat({ model: "elite", messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }] })).rejects.toMatchObject({
    status_code: 400,
    error: "messages.1.role: the last message must be the user's (or, after it, the tool calls and their results)",
  });
  await expect(openai().chat.completions.create({ model: "elite", messages: [{ role: "user", content: "hi" }], n: 2 })).rejects.toMatchObject({ status: 400, param: "n" });
  const notJson = await request.post("/v1/chat/completions", { headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, data: "{oops" });
  expect(notJson.status()).toBe(400);
  expect((await notJson.json()).error).toMatchObject({ param: "body", type: "invalid_request_error" });

  // 404: a model that is neither elite nor in the roster.
  await expect(ollama().chat({ model: "llama3", messages: msg })).rejects.toMatchObject({ status_code: 404, error: expect.stringContaining('model "llama3" not found') });
  await expect(openai().chat.completions.create({ model: "gpt-4o", messages: msg })).rejects.toMatchObject({ status: 404, code: "model_not_found", param: "model" });

  // 413: more than the largest context window among the models (32,768 tokens here).
  const huge = "word ".repeat(60_000);
  await expect(ollama().chat({ model: "elite", messages: [{ role: "user", content: huge }] })).rejects.toMatchObject({ status_code: 413, error: expect.stringContaining("too long") });
  await expect(openai().chat.completions.create({ model: "elite", messages: [{ role: "user", content: huge }] })).rejects.toMatchObject({ status: 413, code: "context_length_exceeded" });
});

test("every model failing: an error status before the stream, an error chunk after it, in each API's shape", async ({ request }) => {
  // Empty answers from every model: nothing was streamed, so the status can still say it.
  await faults(request, [{ fault: "empty" }]);
  await expect(ollama().chat({ model: "elite", stream: true, messages: [{ role: "user", content: "Design a URL shortener." }] })).rejects.toMatchObject({
    status_code: 503,
    error: expect.stringContaining("Every model that could take this request failed"),
  });
  const raw = await request.post("/v1/chat/completions", { headers: { authorization: `Bearer ${key}` }, data: { model: "elite", messages: [{ role: "user", content: "Design a URL shortener." }] } });
  expect(raw.status()).toBe(503);
  expect(raw.headers()["x-elite-interaction-id"]).toMatch(/^[0-9a-f-]{36}$/);
  expect(raw.headers()["x-should-retry"]).toBe("false");
  expect((await raw.json()).error).toMatchObject({ type: "server_error", code: "all_models_failed" });

  // Refusals: each model's text is streamed before it is judged, so the failure arrives as a chunk.
  await faults(request, [{ fault: "refusal" }]);
  const seen: string[] = [];
  const ollamaStream = async () => {
    for await (const c of await ollama().chat({ model: "elite", stream: true, messages: [{ role: "user", content: "Tell me about the history of Rome." }] })) seen.push(c.message.content);
  };
  await expect(ollamaStream()).rejects.toThrow(/Every model that could take this request failed/);
  expect(seen.join("")).toContain("I'm sorry");

  let streamed = "";
  const openaiStream = async () => {
    const s = await openai().chat.completions.create({ model: "elite", stream: true, messages: [{ role: "user", content: "Tell me about the history of Rome." }] });
    for await (const c of s) streamed += c.choices[0]?.delta.content ?? "";
  };
  await expect(openaiStream()).rejects.toMatchObject({ message: expect.stringContaining("Every model that could take this request failed") });
  expect(streamed).toContain("answers from the start");
});

test("feedback over the API: another's or unknown interaction 404, and a preferred model steers the next similar request", async ({ request }) => {
  const post = (data: unknown) => request.post("/api/feedback", { headers: { authorization: `Bearer ${key}` }, data });
  expect((await post({ interaction_id: crypto.randomUUID(), rating: 4 })).status()).toBe(404);
  const bad = await post({ interaction_id: "42", rating: 4 });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error.message).toMatch(/^interaction_id: /);

  const first = await ollama().chat({
    model: "elite",
    stream: false,
    messages: [{ role: "user", content: "Write an efficient algorithm to compute the number of ways to climb n stairs, and prove its complexity." }],
  });
  const elite = eliteOf(first)!;
  const better = elite.model === "mathstral" ? "wizardcoder" : "mathstral";
  const res = await post({ interaction_id: elite.interaction_id, rating: 2, preferred_model: better, correction: "Use the Fibonacci recurrence; it runs in O(n)." });
  expect(res.status()).toBe(200);
  expect((await res.json()).message).toContain(`similar requests will now go to ${better}`);

  const { data, response } = await openai()
    .chat.completions.create({ model: "elite", messages: [{ role: "user", content: "Write an efficient algorithm to count the ways to climb n stairs taking 1 or 2 steps, and prove its complexity." }] })
    .withResponse();
  expect(eliteOf(data)).toMatchObject({ model: better, reason: "pattern" });
  expect(response.headers.get("x-elite-model")).toBe(better);
});

test("feedback over the API says what a request really was: a known task type is saved and taught, an unknown one is a 400 naming the field", async ({ request }) => {
  const post = (data: unknown) => request.post("/api/feedback", { headers: { authorization: `Bearer ${key}` }, data });
  const r = await ollama().chat({ model: "elite", stream: false, messages: [{ role: "user", content: "my flask app returns 500 only in production, works locally" }] });
  const elite = eliteOf(r)!;
  expect(elite.task_confidence).toBeGreaterThan(0);
  const unknown = await post({ interaction_id: elite.interaction_id, task_type: "poetry" });
  expect(unknown.status()).toBe(400);
  expect((await unknown.json()).error.message).toMatch(/^task_type: /);
  const stated = elite.task_type === "debugging" ? "architecture" : "debugging";
  const ok = await post({ interaction_id: elite.interaction_id, task_type: stated });
  expect(ok.status()).toBe(200);
  expect((await ok.json()).message).toContain(`the classifiers learn that this was ${stated.replace(/_/g, " ")}`);
});

test("a prompt the database cannot store (NUL, a lone surrogate) is a 400 naming the field in both dialects, not a 500", async ({ request }) => {
  const headers = { authorization: `Bearer ${key}` };
  for (const content of ["before\u0000after", "broken \ud800 text"]) {
    const o = await request.post("/api/chat", { headers, data: { model: "elite", stream: false, messages: [{ role: "user", content }] } });
    expect(o.status()).toBe(400);
    expect(await o.text()).toContain("messages.0.content: contains a NUL character or a broken Unicode sequence");
    const v = await request.post("/v1/chat/completions", { headers, data: { model: "elite", messages: [{ role: "user", content }] } });
    expect(v.status()).toBe(400);
    expect((await v.json()).error).toMatchObject({ param: "messages.0.content", message: expect.stringContaining("cannot be stored") });
  }
});
