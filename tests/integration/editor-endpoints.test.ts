import { describe, expect, it } from "vitest";
import { inProcessApp, type Routes } from "../support/api-app";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";
import { cosine, simEmbed } from "../../sim";
import { POST as show } from "../../app/api/show/route";
import { GET as ps } from "../../app/api/ps/route";
import { POST as embed } from "../../app/api/embed/route";
import { POST as embeddings } from "../../app/api/embeddings/route";
import { POST as v1Embeddings } from "../../app/v1/embeddings/route";
import { POST as chat } from "../../app/api/chat/route";
import { POST as generate } from "../../app/api/generate/route";
import { POST as completions } from "../../app/v1/completions/route";

/**
 * The endpoints editors call besides chat, through the official clients: `/api/show` (what
 * Continue and Zed read at start), `/api/ps`, embeddings in both dialects (the OpenAI SDK asks
 * for base64 by default).
 */
const routes: Routes = {
  "POST /api/show": show,
  "GET /api/ps": ps,
  "POST /api/embed": embed,
  "POST /api/embeddings": embeddings,
  "POST /v1/embeddings": v1Embeddings,
  "POST /api/chat": chat,
  "POST /api/generate": generate,
  "POST /v1/completions": completions,
};
const app = inProcessApp(routes, "editor");

const ollama = app.ollama;

describe("editor endpoints", () => {
  it("/api/generate answers a prompt (with a system prompt) streamed and not, recorded like chat; loads on an empty prompt", async () => {
    const whole = await ollama().generate({ model: "elite", prompt: "Write a Python function that returns the factorial of n.", system: "Answer with code only.", stream: false });
    expect(whole.done).toBe(true);
    expect(whole.response?.length).toBeGreaterThan(10);
    const elite = (whole as unknown as { elite: { interaction_id: string; task_type: string } }).elite;
    const { rows } = await app.env.db.query<{ source: string; user_prompt: string }>("select source, user_prompt from interactions where id = $1", [elite.interaction_id]);
    expect(rows[0]).toEqual({ source: "api", user_prompt: "Write a Python function that returns the factorial of n." });
    let text = "";
    let last: { done: boolean; eval_count?: number } | null = null;
    for await (const part of await ollama().generate({ model: "elite", prompt: "Explain what a mutex is.", stream: true })) {
      text += part.response;
      last = part;
    }
    expect(text.length).toBeGreaterThan(10);
    expect(last?.done).toBe(true);
    const load = await ollama().generate({ model: "elite", prompt: "", stream: false });
    expect(load).toMatchObject({ done: true, done_reason: "load", response: "" });
    await expect(ollama().generate({ model: "nope", prompt: "", stream: false })).rejects.toMatchObject({ status_code: 404 });
  });

  it("/api/show describes elite by the smallest window it may route to, and each roster model by Ollama's own answer", async () => {
    const elite = await ollama().show({ model: "elite" });
    const windows = await Promise.all(
      Object.values(DEFAULT_ROLE_MODELS).map(async (m) => {
        const s = await ollama().show({ model: m });
        const ctx = Number(Object.entries(s.model_info as unknown as Record<string, unknown>).find(([k]) => k.endsWith(".context_length"))?.[1]);
        const numCtx = Number(/num_ctx\s+(\d+)/.exec(s.parameters)?.[1] ?? ctx);
        return Math.min(ctx, numCtx);
      }),
    );
    expect(elite.parameters).toBe(`num_ctx ${Math.min(...windows)}`);
    expect(elite.capabilities).toContain("completion");
    expect(elite.template).toBeTruthy();
    await expect(ollama().show({ model: "gpt-4" })).rejects.toMatchObject({ status_code: 404 });
    const noKey = await show(new Request("http://app.test/api/show", { method: "POST", body: JSON.stringify({ model: "elite" }) }));
    expect(noKey.status).toBe(401);
  });

  it("/v1/completions answers through the openai client, whole and streamed (fill-in-the-middle: fill-in-middle.test.ts)", async () => {
    const client = app.openai();
    const whole = await client.completions.create({ model: "elite", prompt: "Write a SQL query that counts the rows of a table.", max_tokens: 64 });
    expect(whole.object).toBe("text_completion");
    expect(whole.choices[0].text.length).toBeGreaterThan(10);
    expect(whole.usage?.total_tokens).toBeGreaterThan(0);
    let text = "";
    let finish: string | null = null;
    for await (const part of await client.completions.create({ model: "elite", prompt: "Explain what an index does in a database.", stream: true })) {
      text += part.choices[0]?.text ?? "";
      finish = part.choices[0]?.finish_reason ?? finish;
    }
    expect(text.length).toBeGreaterThan(10);
    expect(finish).toMatch(/stop|length/);
  });

  it("/api/ps lists what is loaded after a chat", async () => {
    await ollama().chat({ model: DEFAULT_ROLE_MODELS.math, messages: [{ role: "user", content: "What is 2 + 2?" }], stream: false });
    const { models } = await ollama().ps();
    expect(models.map((m) => m.name)).toContain(DEFAULT_ROLE_MODELS.math.includes(":") ? DEFAULT_ROLE_MODELS.math : `${DEFAULT_ROLE_MODELS.math}:latest`);
  });

  it("embeds through the roster's embedding model in both Ollama dialects and OpenAI's (float and base64)", async () => {
    const texts = ["def add(a, b): return a + b", "SELECT * FROM users"];
    const o = await ollama().embed({ model: "elite", input: texts });
    expect(o.embeddings).toHaveLength(2);
    // The same vectors the embedding model itself gives for these texts.
    expect(cosine(o.embeddings[0], simEmbed(texts[0]))).toBeCloseTo(1, 5);
    const legacy = await ollama().embeddings({ model: "nomic-embed-text", prompt: texts[1] });
    expect(cosine(legacy.embedding, o.embeddings[1])).toBeCloseTo(1, 5);

    const client = app.openai();
    const b64 = await client.embeddings.create({ model: "elite", input: texts }); // the SDK asks for base64 and decodes it
    expect(b64.data.map((d) => d.index)).toEqual([0, 1]);
    expect(cosine(b64.data[1].embedding, o.embeddings[1])).toBeCloseTo(1, 5);
    const float = await client.embeddings.create({ model: "elite", input: texts[0], encoding_format: "float", dimensions: 256 });
    expect(float.data[0].embedding).toHaveLength(256);
    expect(Math.hypot(...float.data[0].embedding)).toBeCloseTo(1, 5);

    await expect(client.embeddings.create({ model: DEFAULT_ROLE_MODELS.math, input: "x" })).rejects.toMatchObject({ status: 400, param: "model" });
    await expect(ollama().embed({ model: "elite", input: [] })).rejects.toMatchObject({ status_code: 400 });
  });
});
