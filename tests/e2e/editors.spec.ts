import { expect, test, type Page } from "@playwright/test";
import { Ollama } from "ollama";
import OpenAI from "openai";
import fs from "node:fs";
import path from "node:path";

/**
 * What editors send, against the running app: the request bodies Continue and Zed send for
 * autocomplete (pinned in tests/fixtures/editor-requests.json with their source), replayed
 * over HTTP and read back as those clients read them; and an agent's tool loop with the
 * official clients.
 */
const editors = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "../fixtures/editor-requests.json"), "utf8")) as {
  continue: { show: unknown; fim: unknown };
  zed: { raw: unknown };
};

test.describe.configure({ mode: "serial" });

let key = "";
let appUrl = "";

async function createKey(page: Page): Promise<string> {
  await page.goto("/settings");
  await page.getByTestId("api-key-name").fill("e2e editors");
  await page.getByTestId("api-key-create").click();
  return (await page.getByTestId("api-key-secret").innerText()).trim();
}

test("Continue: /api/show says elite fills in the middle; its autocomplete request streams `response` chunks", async ({ page, request, baseURL }) => {
  appUrl = baseURL!;
  key = await createKey(page);
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const show = await request.post("/api/show", { headers, data: editors.continue.show });
  expect(show.status()).toBe(200);
  const info = (await show.json()) as { template: string; parameters: string; capabilities: string[] };
  expect(info.template.includes(".Suffix")).toBe(true); // Continue's own test for FIM support
  expect(info.capabilities).toEqual(expect.arrayContaining(["completion", "insert", "tools"]));

  const res = await request.post("/api/generate", { headers, data: editors.continue.fim });
  expect(res.status()).toBe(200);
  expect(res.headers()["x-elite-lane"]).toBe("fast"); // answered without Next.js's router (scripts/serve.mjs)
  expect(show.headers()["x-elite-lane"]).toBeUndefined(); // everything else goes through Next.js
  expect(res.headers()["content-type"]).toBe("application/x-ndjson");
  const lines = (await res.text()).split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as { response?: string; done: boolean; error?: string });
  for (const l of lines) {
    expect(l.error).toBeUndefined(); // Continue throws on an `error` line
    expect(typeof l.response).toBe("string"); // and yields j.response for every other one
  }
  expect(lines.at(-1)?.done).toBe(true);
  expect(lines.map((l) => l.response).join("").length).toBeGreaterThan(0);
});

test("Zed: a raw completion answered whole; the ollama and openai clients fill in the middle", async () => {
  const raw = await fetch(`${appUrl}/api/generate`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(editors.zed.raw) });
  expect(raw.status).toBe(200);
  expect(await raw.json()).toMatchObject({ done: true, response: expect.any(String) });

  const ollama = new Ollama({ host: appUrl, headers: { Authorization: `Bearer ${key}` } });
  const fim = await ollama.generate({ model: "elite", prompt: "def add(a, b):\n    ", suffix: "\n\nprint(add(1, 2))\n", stream: false });
  expect(fim.response?.length).toBeGreaterThan(0);
  const openai = new OpenAI({ baseURL: `${appUrl}/v1`, apiKey: key, maxRetries: 0 });
  const c = await openai.completions.create({ model: "elite", prompt: "const xs = [", suffix: "];\n", max_tokens: 32 });
  expect(c.choices[0].text.length).toBeGreaterThan(0);
});

test("an editor that cancels a completion on the fast lane stops the model's stream; the next completion is answered", async () => {
  const sim = process.env.E2E_SIM_URL!;
  type SimLog = { seq: number; endpoint: string; closedEarly: boolean }[];
  const simLog = async () => ((await (await fetch(`${sim}/__sim/stats`)).json()) as { log: SimLog }).log;
  const before = Math.max(0, ...(await simLog()).map((e) => e.seq));
  // Every token after the first takes 5 s: the model is still answering when the editor leaves,
  // however loaded the machine (a completion is otherwise a few tokens, done in milliseconds).
  // Only this model is slowed: the app's own background calls go to others.
  const model = "deepseek-coder:6.7b";
  const slow = await fetch(`${sim}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ faults: [{ model, fault: "slow:5000" }] }) });
  expect(slow.ok).toBe(true);
  try {
    const abort = new AbortController();
    const res = await fetch(`${appUrl}/api/generate`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model, prompt: "def long_function():\n    ", suffix: "\n", stream: true }),
      signal: abort.signal,
    });
    expect(res.headers.get("x-elite-lane")).toBe("fast");
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(false); // the first token arrived: the model is answering
    abort.abort();
    // The model's request ends early once the editor has gone (waited on the simulator's log, not on time).
    await expect
      .poll(async () => (await simLog()).some((e) => e.seq > before && e.endpoint === "POST /api/generate" && e.closedEarly), { timeout: 20_000 })
      .toBe(true);
  } finally {
    await fetch(`${sim}/__sim/faults`, { method: "DELETE" });
  }
  const openai = new OpenAI({ baseURL: `${appUrl}/v1`, apiKey: key, maxRetries: 0 });
  const next = await openai.completions.create({ model: "elite", prompt: "const ys = [", suffix: "];\n", max_tokens: 16 });
  expect(next.choices[0].text.length).toBeGreaterThan(0);
});

test("an agent's tool loop through the openai client: a call, its result, an answer in words; in the chat, one conversation showing the call", async ({ page }) => {
  const openai = new OpenAI({ baseURL: `${appUrl}/v1`, apiKey: key, maxRetries: 0 });
  const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
    { type: "function", function: { name: "read_file", description: "Read a file of the project", parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] } } },
  ];
  const ask = "What does src/index.ts export?";
  const first = await openai.chat.completions.create({ model: "elite", messages: [{ role: "user", content: ask }], tools });
  expect(first.choices[0].finish_reason).toBe("tool_calls");
  const call = first.choices[0].message.tool_calls![0];
  expect(call.type === "function" && call.function.name).toBe("read_file");
  const answer = await openai.chat.completions.create({
    model: "elite",
    tools,
    messages: [{ role: "user", content: ask }, first.choices[0].message, { role: "tool", tool_call_id: call.id, content: "export function main() {}" }],
  });
  expect(answer.choices[0].message.content?.length).toBeGreaterThan(0);

  await page.goto("/chat");
  const listed = page.getByTestId("conversation-link").filter({ hasText: ask });
  await expect(listed).toHaveCount(1);
  await listed.click();
  const thread = page.getByTestId("thread");
  await expect(thread.getByTestId("answer")).toHaveCount(2);
  await expect(thread.getByTestId("tool-calls")).toHaveText(/called\s*read_file\s*\{"path":/);
  await expect(thread.getByTestId("answer").nth(1)).toContainText(answer.choices[0].message.content!.slice(0, 20));
});

test("a chat in the editor is one conversation in the chat list, with every turn, however many messages it took", async ({ page }) => {
  const openai = new OpenAI({ baseURL: `${appUrl}/v1`, apiKey: key, maxRetries: 0 });
  // As Continue sends a chat: streamed, the whole conversation each time, behind its own system message.
  const say = async (messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[]) => {
    let text = "";
    for await (const chunk of await openai.chat.completions.create({ model: "elite", messages, stream: true })) text += chunk.choices[0]?.delta?.content ?? "";
    return text;
  };
  const system = { role: "system" as const, content: "You are an expert software developer. You give helpful and concise responses." };
  const q1 = "Why does my Go goroutine leak when the channel is never closed?";
  const q2 = "And how would a context.Context fix it?";
  const a1 = await say([system, { role: "user", content: q1 }]);
  await say([system, { role: "user", content: q1 }, { role: "assistant", content: a1 }, { role: "user", content: q2 }]);

  await page.goto("/chat");
  const listed = page.getByTestId("conversation-link").filter({ hasText: "Why does my Go goroutine leak" });
  await expect(listed).toHaveCount(1);
  await expect(page.getByTestId("conversation-list").locator("li", { hasText: "Why does my Go goroutine leak" }).getByTestId("from-api")).toHaveText("API");
  await listed.click();
  await expect(page.getByTestId("thread").getByTestId("user-message")).toHaveText([q1, q2]);
});
