import { describe, expect, it } from "vitest";
import type OpenAI from "openai";
import { inProcessApp, type Routes } from "../support/api-app";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";
import { POST as show } from "../../app/api/show/route";
import { POST as chat } from "../../app/api/chat/route";
import { POST as openaiChat } from "../../app/v1/chat/completions/route";

/**
 * Agents' tool use through both dialects: a request with tools goes only to a roster model
 * Ollama says supports them; the calls come back as each client parses them (Ollama: whole
 * `message.tool_calls` with object arguments; OpenAI: ids, JSON-string arguments,
 * `finish_reason: "tool_calls"`, streamed as `delta.tool_calls`); the tools' results sent back
 * are answered; every turn is recorded. Structured output and thinking pass through as well.
 */
const routes: Routes = {
  "POST /api/show": show,
  "POST /api/chat": chat,
  "POST /v1/chat/completions": openaiChat,
};
const app = inProcessApp(routes, "agent");

const ollama = app.ollama;
const openai = app.openai;
const WEATHER = {
  type: "function",
  function: {
    name: "get_weather",
    description: "The weather in a city now",
    parameters: { type: "object", properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } }, required: ["city", "unit"] },
  },
};
const ASK = "What is the weather in Lisbon right now?";

describe("tools", () => {
  it("only a model that supports tools takes a request with tools; it calls them as Ollama clients read it, streamed and whole", async () => {
    const capable: string[] = [];
    for (const m of new Set(Object.values(DEFAULT_ROLE_MODELS))) if ((await ollama().show({ model: m })).capabilities?.includes("tools")) capable.push(m);
    expect(capable.length).toBeGreaterThan(0);
    expect(capable.length).toBeLessThan(new Set(Object.values(DEFAULT_ROLE_MODELS)).size);

    const whole = await ollama().chat({ model: "elite", messages: [{ role: "user", content: ASK }], tools: [WEATHER], stream: false });
    expect(capable).toContain(whole.model);
    expect(whole.message.tool_calls).toEqual([{ function: { name: "get_weather", arguments: { city: expect.any(String), unit: "celsius" } } }]);
    const elite = (whole as unknown as { elite: { interaction_id: string } }).elite;
    const { rows } = await app.env.db.query<{ status: string; response: string; model_used: string }>("select status, response, model_used from interactions where id = $1", [elite.interaction_id]);
    expect(rows[0].status).toBe("completed");
    expect(JSON.parse(rows[0].response)).toEqual({ tool_calls: whole.message.tool_calls });

    const calls: unknown[] = [];
    for await (const part of await ollama().chat({ model: "elite", messages: [{ role: "user", content: ASK }], tools: [WEATHER], stream: true })) {
      if (part.message?.tool_calls) calls.push(...part.message.tool_calls);
    }
    expect(calls).toEqual([{ function: { name: "get_weather", arguments: expect.objectContaining({ unit: "celsius" }) } }]);
  });

  it("answers the tool's result in words (the agent's loop), and refuses a named model that cannot call tools", async () => {
    const first = await ollama().chat({ model: "elite", messages: [{ role: "user", content: ASK }], tools: [WEATHER], stream: false });
    const loop = await ollama().chat({
      model: "elite",
      tools: [WEATHER],
      stream: false,
      messages: [{ role: "user", content: ASK }, first.message, { role: "tool", content: '{"temperature": 21, "unit": "celsius"}', tool_name: "get_weather" }],
    });
    expect(loop.message.tool_calls ?? []).toEqual([]);
    expect(loop.message.content.length).toBeGreaterThan(0);
    const noTools = DEFAULT_ROLE_MODELS.lead_developer;
    expect((await ollama().show({ model: noTools })).capabilities).not.toContain("tools");
    await expect(ollama().chat({ model: noTools, messages: [{ role: "user", content: ASK }], tools: [WEATHER], stream: false })).rejects.toMatchObject({
      status_code: 400,
      error: expect.stringMatching(/^tools: .* does not support tools/),
    });
    // An assistant's plain answer after the last user message is not a loop: refused naming the field.
    await expect(ollama().chat({ model: "elite", messages: [{ role: "user", content: ASK }, { role: "assistant", content: "hm" }], stream: false })).rejects.toMatchObject({ status_code: 400 });
  });

  it("the openai client: tool_calls with ids and JSON arguments, finish_reason tool_calls, streamed as deltas; tool results answered; tool_choice none keeps them away", async () => {
    const tools = [WEATHER as OpenAI.Chat.Completions.ChatCompletionTool];
    const c = await openai().chat.completions.create({ model: "elite", messages: [{ role: "user", content: ASK }], tools });
    const call = c.choices[0].message.tool_calls?.[0];
    expect(c.choices[0].finish_reason).toBe("tool_calls");
    expect(call && call.type === "function" ? call.function.name : null).toBe("get_weather");
    const fn = call && call.type === "function" ? call.function : null;
    expect(JSON.parse(fn!.arguments)).toMatchObject({ unit: "celsius" });
    expect(call!.id).toMatch(/^call_/);

    const streamed = new Map<number, { id?: string; name?: string; args: string }>();
    let finish: string | null = null;
    for await (const part of await openai().chat.completions.create({ model: "elite", messages: [{ role: "user", content: ASK }], tools, stream: true })) {
      for (const d of part.choices[0]?.delta?.tool_calls ?? []) {
        const e = streamed.get(d.index) ?? { args: "" };
        e.id ??= d.id;
        e.name ??= d.function?.name;
        e.args += d.function?.arguments ?? "";
        streamed.set(d.index, e);
      }
      finish = part.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe("tool_calls");
    expect([...streamed.values()].map((e) => ({ name: e.name, unit: JSON.parse(e.args).unit }))).toEqual([{ name: "get_weather", unit: "celsius" }]);

    const answer = await openai().chat.completions.create({
      model: "elite",
      tools,
      messages: [{ role: "user", content: ASK }, c.choices[0].message, { role: "tool", tool_call_id: call!.id, content: '{"temperature": 21}' }],
    });
    expect(answer.choices[0].finish_reason).toMatch(/stop|length/);
    expect(answer.choices[0].message.content?.length).toBeGreaterThan(0);

    const none = await openai().chat.completions.create({ model: "elite", messages: [{ role: "user", content: ASK }], tools, tool_choice: "none" });
    expect(none.choices[0].message.tool_calls ?? []).toEqual([]);
    expect(none.choices[0].message.content?.length).toBeGreaterThan(0);

    await expect(
      openai().chat.completions.create({
        model: "elite",
        tools,
        messages: [{ role: "user", content: ASK }, { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{not json" } }] }, { role: "tool", tool_call_id: "call_1", content: "{}" }],
      }),
    ).rejects.toMatchObject({ status: 400, param: "messages.1.tool_calls.0.function.arguments" });
  });

  it("structured output (format, response_format) and thinking pass through to the model", async () => {
    const json = await ollama().chat({ model: "elite", messages: [{ role: "user", content: "List three prime numbers." }], format: "json", stream: false });
    expect(() => JSON.parse(json.message.content)).not.toThrow();
    const schema = { type: "object", properties: { primes: { type: "array", items: { type: "integer" } } }, required: ["primes"] };
    const viaSchema = await openai().chat.completions.create({
      model: "elite",
      messages: [{ role: "user", content: "List three prime numbers." }],
      response_format: { type: "json_schema", json_schema: { name: "primes", schema } },
    });
    expect(JSON.parse(viaSchema.choices[0].message.content!)).toHaveProperty("primes");

    const thinker = DEFAULT_ROLE_MODELS.architect;
    expect((await ollama().show({ model: thinker })).capabilities).toContain("thinking");
    const thought = await ollama().chat({ model: thinker, messages: [{ role: "user", content: "Design a URL shortener." }], think: true, stream: false });
    expect(thought.message.thinking?.length).toBeGreaterThan(0);
    let streamedThinking = "";
    for await (const part of await ollama().chat({ model: thinker, messages: [{ role: "user", content: "Design a URL shortener." }], think: true, stream: true })) streamedThinking += part.message?.thinking ?? "";
    expect(streamedThinking.length).toBeGreaterThan(0);
    // A model that cannot think answers without it instead of failing (Ollama would refuse `think` for it).
    const plain = await ollama().chat({ model: DEFAULT_ROLE_MODELS.lead_developer, messages: [{ role: "user", content: "Write a hello world in C." }], think: true, stream: false });
    expect(plain.message.content.length).toBeGreaterThan(0);
    expect(plain.message.thinking ?? "").toBe("");
  });
});
