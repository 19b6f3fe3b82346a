import { describe, expect, it } from "vitest";
import { inProcessApp, type Routes } from "../support/api-app";
import { USER_A } from "../support/db";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";
import { flushCompletions } from "../../lib/orchestrator/completion-log";
import { learningState } from "../../lib/learning/store";
import { POST as show } from "../../app/api/show/route";
import { POST as generate } from "../../app/api/generate/route";
import { POST as completions } from "../../app/v1/completions/route";
import editors from "../fixtures/editor-requests.json";

/**
 * Editors' completions (fill-in-the-middle and raw) on the fast path: routed among the
 * roster models Ollama says can insert, answered in each dialect as the clients parse it,
 * logged in a batch afterwards (not as chat interactions), learned from as the `completion`
 * task type; a cancelled completion leaves nothing.
 */
const routes: Routes = {
  "POST /api/show": show,
  "POST /api/generate": generate,
  "POST /v1/completions": completions,
};
const app = inProcessApp(routes, "editor");
const fetchApp = app.fetch;
const post = (path: string, body: unknown, signal?: AbortSignal) =>
  fetchApp(`http://app.test${path}`, { method: "POST", headers: { authorization: `Bearer ${app.key}`, "content-type": "application/json" }, body: JSON.stringify(body), signal });

const ollama = app.ollama;
const count = async (table: "completions" | "interactions") => (await app.env.db.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0].n;
const insertCapable = async () => {
  const out: string[] = [];
  for (const m of new Set(Object.values(DEFAULT_ROLE_MODELS))) if ((await ollama().show({ model: m })).capabilities?.includes("insert")) out.push(m);
  return out;
};

describe("fill-in-the-middle", () => {
  it("elite says it can insert the way Continue checks (a template with .Suffix), with parameters Continue's parser reads", async () => {
    const res = await post("/api/show", editors.continue.show);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { template: string; parameters: string; capabilities: string[] };
    expect(body.template).toContain(".Suffix");
    expect(body.capabilities).toEqual(expect.arrayContaining(["completion", "insert"]));
    for (const line of body.parameters.split("\n")) expect(line).toMatch(/^(\S+)\s+((?:".*")|\S+)$/);
    expect((await insertCapable()).length).toBeGreaterThan(0);
  });

  it("answers Continue's exact autocomplete request: NDJSON `response` chunks from a model that can insert; logged after, not as a chat", async () => {
    const capable = await insertCapable();
    const before = { completions: await count("completions"), interactions: await count("interactions") };
    const res = await post("/api/generate", editors.continue.fim);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    const model = res.headers.get("x-elite-model")!;
    expect(capable).toContain(model);
    const lines = (await res.text()).split("\n").filter(Boolean).map((l) => JSON.parse(l) as { response: string; done: boolean; done_reason?: string; model: string });
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(typeof l.response).toBe("string"); // Continue yields j.response for every chunk
    expect(lines.at(-1)).toMatchObject({ done: true, model });
    expect(lines.map((l) => l.response).join("").trim().length).toBeGreaterThan(0);

    await flushCompletions();
    expect(await count("interactions")).toBe(before.interactions);
    expect(await count("completions")).toBe(before.completions + 1);
    const { rows } = await app.env.db.query<{ user_id: string; model: string; status: string; prompt_chars: number; suffix_chars: number }>(
      "select user_id, model, status, prompt_chars, suffix_chars from completions order by created_at desc limit 1",
    );
    expect(rows[0]).toEqual({ user_id: USER_A, model, status: "completed", prompt_chars: editors.continue.fim.prompt.length, suffix_chars: editors.continue.fim.suffix.length });
    const evidence = (await learningState()).policy.completion?.[model];
    expect(evidence && evidence.alpha + evidence.beta).toBeGreaterThan(0);
  });

  it("the official clients: ollama generate with a suffix, openai completions with a suffix (whole and streamed)", async () => {
    const whole = await ollama().generate({ model: "elite", prompt: "def add(a, b):\n    ", suffix: "\n\nprint(add(1, 2))", stream: false });
    expect(whole.done).toBe(true);
    expect(whole.response?.length).toBeGreaterThan(0);
    const client = app.openai();
    const c = await client.completions.create({ model: "elite", prompt: "def add(a, b):\n    ", suffix: "\n", max_tokens: 32 });
    expect(c.object).toBe("text_completion");
    expect(c.choices[0].text.length).toBeGreaterThan(0);
    expect(c.usage?.completion_tokens).toBeGreaterThan(0);
    let text = "";
    let finish: string | null = null;
    for await (const part of await client.completions.create({ model: "elite", prompt: "x = [", suffix: "]\n", stream: true })) {
      text += part.choices[0]?.text ?? "";
      finish = part.choices[0]?.finish_reason ?? finish;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(finish).toMatch(/stop|length/);
  });

  it("Zed's raw request is answered whole; a named model that cannot insert gets a 400 that says so; an unknown one 404", async () => {
    const raw = await post("/api/generate", editors.zed.raw);
    expect(raw.status).toBe(200);
    const body = (await raw.json()) as { response: string; done: boolean };
    expect(body.done).toBe(true);
    expect(typeof body.response).toBe("string");
    const capable = await insertCapable();
    const unable = Object.values(DEFAULT_ROLE_MODELS).find((m) => !capable.includes(m))!;
    await expect(ollama().generate({ model: unable, prompt: "def f():", suffix: "\n", stream: false })).rejects.toMatchObject({
      status_code: 400,
      error: expect.stringMatching(/does not support fill-in-the-middle/),
    });
    const named = await ollama().generate({ model: capable[0], prompt: "def f():", suffix: "\n", stream: false });
    expect(named.model).toBe(capable[0]);
    await expect(ollama().generate({ model: "nope", prompt: "def f():", suffix: "\n", stream: false })).rejects.toMatchObject({ status_code: 404 });
  });

  it("a completion the editor cancels is not logged or learned from", async () => {
    await flushCompletions();
    const before = await count("completions");
    const learned = JSON.stringify((await learningState()).policy.completion ?? {});
    await fetch(`${app.env.sim.url}/__sim/faults`, { method: "POST", body: JSON.stringify({ model: "*", fault: "slow:200" }) });
    try {
      const ac = new AbortController();
      const res = await post("/api/generate", editors.continue.fim, ac.signal);
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      await reader.read(); // the first chunk arrived
      ac.abort();
      await reader.cancel().catch(() => {});
      // Wait on state: the aborted stream has ended on the server (its slot is free again) before checking.
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const stats = (await (await fetch(`${app.env.sim.url}/__sim/stats`)).json()) as { log: { endpoint: string; closedEarly: boolean; status: number }[] };
        if (stats.log.filter((l) => l.endpoint === "POST /api/generate").at(-1)?.closedEarly) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await fetch(`${app.env.sim.url}/__sim/faults`, { method: "DELETE" });
    }
    await flushCompletions();
    expect(await count("completions")).toBe(before);
    expect(JSON.stringify((await learningState()).policy.completion ?? {})).toBe(learned);
  });
});
