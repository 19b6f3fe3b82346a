import "server-only";
import { createHash } from "node:crypto";
import type { RunEvent } from "@/lib/chat/events";
import { getOllamaPool, type Tool } from "@/lib/ollama";
import { authenticatedBody, beginApiChat, startApiChat } from "./begin";
import { fillOllama } from "./fill";
import { identityFromRequest } from "./keys";
import { ApiError, ollamaErrorResponse } from "./errors";
import { ollamaChatSchema, ollamaGenerateSchema, ollamaLimits } from "./schemas";
import { byteStream, doneReason, eliteMeta, fallbackNotice, headersFor, listedModels, nanoseconds, resolveModel, type ApiStream } from "./run";

/**
 * The Ollama-compatible API (`/api/chat`, `/api/generate`, `/api/tags`), shaped as the official `ollama`
 * client reads it: NDJSON chunks with `message.content` deltas, then a final chunk with
 * `done: true`, `done_reason`, token counts and durations in nanoseconds. Every chunk's
 * `model` is the model answering; the first and the final chunk carry `elite` (interaction
 * id, model, role, task type, reason, fallbacks) — the final one is definitive.
 */

/** `/api/chat` puts the text in `message.content`, `/api/generate` in `response`. */
type Dialect = "chat" | "generate";

function chunk(model: string, content: string, extra: Record<string, unknown> = {}, dialect: Dialect = "chat") {
  const text = dialect === "chat" ? { message: { role: "assistant", content } } : { response: content };
  return { model, created_at: new Date().toISOString(), ...text, done: false, ...extra };
}

function finalFields(run: ApiStream, done: Extract<RunEvent, { type: "done" }>, endedAt: number) {
  const first = run.firstTokenAt ?? endedAt;
  return {
    done: true,
    done_reason: doneReason(done),
    total_duration: nanoseconds(endedAt - run.startedAt),
    load_duration: 0,
    prompt_eval_count: done.usage?.promptTokens ?? 0,
    prompt_eval_duration: nanoseconds(first - run.startedAt),
    eval_count: done.usage?.completionTokens ?? 0,
    eval_duration: nanoseconds(endedAt - first),
    elite: eliteMeta(done.interactionId, done.decision),
  };
}

export async function ollamaChat(request: Request): Promise<Response> {
  try {
    const { body, run } = await beginApiChat(
      request,
      ollamaChatSchema,
      (b) => b.messages.map((m) => ({ role: m.role, content: m.content, ...(m.tool_calls?.length ? { tool_calls: m.tool_calls } : {}), ...(m.tool_name ? { tool_name: m.tool_name } : {}) })),
      (b) => ({ tools: b.tools as Tool[] | undefined, format: b.format, think: b.think === undefined ? undefined : b.think !== false, limits: ollamaLimits(b.options) }),
    );
    return body.stream === false ? await whole(run, "chat") : streamed(run, "chat");
  } catch (e) {
    return ollamaErrorResponse(e);
  }
}

/**
 * `POST /api/generate`: with `suffix` (fill-in-the-middle) or `raw`, an editor's completion on
 * the fast path (lib/api/fill.ts); otherwise a prompt (and an optional `system`) answered like
 * a one-turn chat, in `response` chunks. An empty prompt only loads a model in Ollama:
 * answered at once with `done_reason: "load"`.
 */
export async function ollamaGenerate(request: Request): Promise<Response> {
  try {
    const { identity, body } = await authenticatedBody(request, ollamaGenerateSchema);
    if (body.suffix || body.raw) return await fillOllama(identity, body, request.signal);
    if (!body.prompt) {
      await resolveModel(body.model); // 404 for a model that is neither elite nor the roster's
      return Response.json({ model: body.model, created_at: new Date().toISOString(), response: "", done: true, done_reason: "load" });
    }
    const turns = [...(body.system ? [{ role: "system" as const, content: body.system }] : []), { role: "user" as const, content: body.prompt }];
    const run = await startApiChat(identity, body, turns, request.signal, { limits: ollamaLimits(body.options) });
    return body.stream === false ? await whole(run, "generate") : streamed(run, "generate");
  } catch (e) {
    return ollamaErrorResponse(e);
  }
}

async function whole(run: ApiStream, dialect: Dialect): Promise<Response> {
  let thinking = "";
  for await (const e of run.events) {
    if (e.type === "thinking") thinking += e.text;
    if (e.type === "done") {
      const extra = { ...(thinking ? { thinking } : {}), ...(e.toolCalls ? { tool_calls: e.toolCalls } : {}) };
      const text = dialect === "chat" ? { message: { role: "assistant", content: e.response, ...extra } } : { response: e.response, ...(thinking ? { thinking } : {}) };
      const body = { model: e.decision.model, created_at: new Date().toISOString(), ...text, ...finalFields(run, e, performance.now()) };
      return Response.json(body, { headers: headersFor(e.interactionId, e.decision.model) });
    }
    if (e.type === "error") {
      return ollamaErrorResponse(new ApiError("unavailable:ollama", e.message, { interactionId: run.interactionId }));
    }
  }
  return ollamaErrorResponse(new ApiError("unavailable:ollama", "The answer was cancelled.", { interactionId: run.interactionId }));
}

function streamed(run: ApiStream, dialect: Dialect): Response {
  const line = (o: unknown) => `${JSON.stringify(o)}\n`;
  const body = byteStream(async (write, end) => {
    let model = run.model;
    let sent = false;
    try {
      for await (const e of run.events) {
        if (e.type === "token") {
          write(line(chunk(model, e.text, sent ? {} : { elite: { ...eliteMeta(run.interactionId, run.decision), model } }, dialect)));
          sent = true;
        } else if (e.type === "thinking") {
          const first = sent ? {} : { elite: { ...eliteMeta(run.interactionId, run.decision), model } };
          const body = dialect === "chat" ? { message: { role: "assistant", content: "", thinking: e.text } } : { response: "", thinking: e.text };
          write(line({ model, created_at: new Date().toISOString(), ...body, done: false, ...first }));
          sent = true;
        } else if (e.type === "tool_calls" && dialect === "chat") {
          // Ollama sends a model's tool calls whole, in one chunk with empty content.
          const first = sent ? {} : { elite: { ...eliteMeta(run.interactionId, run.decision), model } };
          write(line({ model, created_at: new Date().toISOString(), message: { role: "assistant", content: "", tool_calls: e.calls }, done: false, ...first }));
          sent = true;
        } else if (e.type === "fallback") {
          model = e.next.model;
          if (sent) write(line(chunk(model, fallbackNotice(e), {}, dialect)));
        } else if (e.type === "done") {
          write(line({ ...chunk(e.decision.model, "", {}, dialect), ...finalFields(run, e, performance.now()) }));
          end(); // the answer is recorded; its learning goes on without the client waiting
        } else if (e.type === "error") {
          write(line({ error: e.message, elite: e.decision ? eliteMeta(run.interactionId, e.decision) : { interaction_id: run.interactionId } }));
          end();
        }
      }
    } catch (err) {
      console.error("api stream failed", err);
      write(line({ error: "The answer stream failed on the server; the details are in the server log.", elite: { interaction_id: run.interactionId } }));
    }
  });
  return new Response(body, { headers: { "content-type": "application/x-ndjson", ...headersFor(run.interactionId, run.model) } });
}

/** `GET /api/tags`: `elite` and the roster's models, with the details Ollama reports where it answers. */
export async function ollamaTags(request: Request): Promise<Response> {
  try {
    await identityFromRequest(request);
    const models = await listedModels();
    const pool = getOllamaPool();
    const now = new Date().toISOString();
    const entries = await Promise.all(
      models.map(async (m) => {
        const info = m.role ? await pool.show(m.name).catch(() => null) : null;
        return {
          name: m.name,
          model: m.name,
          modified_at: now,
          size: 0,
          digest: createHash("sha256").update(m.name).digest("hex"),
          details: info?.details ?? {
            parent_model: "",
            format: "gguf",
            family: m.role ?? "elite",
            families: [m.role ?? "elite"],
            parameter_size: "",
            quantization_level: "",
          },
          ...(m.role ? { elite: { role: m.role } } : { elite: { routes: true } }),
        };
      }),
    );
    return Response.json({ models: entries }, { headers: { "cache-control": "no-store" } });
  } catch (e) {
    return ollamaErrorResponse(e);
  }
}
