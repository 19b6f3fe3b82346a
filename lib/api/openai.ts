import "server-only";
import type { RunEvent } from "@/lib/chat/events";
import type { Tool, ToolCall } from "@/lib/ollama";
import { beginApiChat } from "./begin";
import { continuedStep, toolCallId } from "./tool-call-id";
import { identityFromRequest } from "./keys";
import { ApiError, openaiErrorBody, openaiErrorResponse } from "./errors";
import { openaiChatSchema, openaiLimits, type OpenAIChatBody } from "./schemas";
import { openaiTurns } from "./turns";
import { ELITE_MODEL, byteStream, doneReason, eliteMeta, fallbackNotice, headersFor, listedModels, resolveModel, type ApiStream } from "./run";
import { sameModel } from "@/lib/domain";

/**
 * The OpenAI-compatible API (`/v1/chat/completions`, `/v1/models`) as the official `openai`
 * client reads it. `model` in responses is the model that answered; the completion (and,
 * when streaming, the first chunk and the one with `finish_reason`) carries `elite`.
 * Streams are SSE `data: {chunk}` lines ending with `data: [DONE]`; an error after the
 * stream started is a `data: {"error": {...}}` line, which the client throws as APIError.
 */

const completionId = (interactionId: string) => `chatcmpl-${interactionId}`;
export const seconds = () => Math.floor(Date.now() / 1000);

/** What an SSE stream says when it breaks on the server after it started. */
const STREAM_FAILED = { error: { message: "The answer stream failed on the server; the details are in the server log.", type: "server_error", param: null, code: "internal" } };

/** An error chunk after the stream started: every model failed. */
function streamErrorChunk(run: ApiStream, e: Extract<RunEvent, { type: "error" }>) {
  const err = new ApiError("unavailable:ollama", e.message, { apiCode: "all_models_failed", interactionId: run.interactionId });
  return { error: openaiErrorBody(err), elite: e.decision ? eliteMeta(run.interactionId, e.decision) : { interaction_id: run.interactionId } };
}

/** OpenAI's `response_format` in Ollama's terms: `json_object` → "json", `json_schema` → its schema. */
function formatOf(f: OpenAIChatBody["response_format"]): "json" | Record<string, unknown> | undefined {
  if (!f || f.type === "text") return undefined;
  if (f.type === "json_schema" && "json_schema" in f && f.json_schema.schema) return f.json_schema.schema;
  return "json";
}

/** A legacy text completion object (or a streamed chunk of one): `choices[0].text`. */
export const textCompletion = (id: string, model: string, text: string, finish: string | null, extra: Record<string, unknown> = {}) => ({
  id: `cmpl-${id}`,
  object: "text_completion",
  created: seconds(),
  model,
  choices: [{ index: 0, text, logprobs: null, finish_reason: finish }],
  ...extra,
});

/** Ollama's tool calls as OpenAI's: an id each (naming the interaction, lib/api/tool-call-id.ts), the arguments as a JSON string. */
export function openaiToolCalls(calls: readonly ToolCall[], interactionId: string, from = 0) {
  return calls.map((c, k) => ({ id: toolCallId(interactionId, from + k), type: "function" as const, function: { name: c.function.name, arguments: JSON.stringify(c.function.arguments ?? {}) } }));
}

export function usageOf(done: Extract<RunEvent, { type: "done" }>) {
  const prompt = done.usage?.promptTokens ?? 0;
  const completion = done.usage?.completionTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export async function openaiChat(request: Request): Promise<Response> {
  try {
    const { body, run } = await beginApiChat(
      request,
      openaiChatSchema,
      (b) => openaiTurns(b.messages),
      (b) => ({ tools: b.tool_choice === "none" ? undefined : ((b.tools ?? undefined) as Tool[] | undefined), format: formatOf(b.response_format), limits: openaiLimits(b), continues: continuedStep(b.messages) }),
    );
    return body.stream ? streamed(run, Boolean(body.stream_options?.include_usage)) : await whole(run);
  } catch (e) {
    return openaiErrorResponse(e);
  }
}

async function whole(run: ApiStream): Promise<Response> {
  for await (const e of run.events) {
    if (e.type === "done") {
      const body = {
        id: completionId(e.interactionId),
        object: "chat.completion",
        created: seconds(),
        model: e.decision.model,
        choices: [
          {
            index: 0,
            message: { role: "assistant", content: e.toolCalls && !e.response ? null : e.response, refusal: null, ...(e.toolCalls ? { tool_calls: openaiToolCalls(e.toolCalls, e.interactionId) } : {}) },
            logprobs: null,
            finish_reason: e.toolCalls ? "tool_calls" : doneReason(e),
          },
        ],
        usage: usageOf(e),
        system_fingerprint: null,
        elite: eliteMeta(e.interactionId, e.decision),
      };
      return Response.json(body, { headers: headersFor(e.interactionId, e.decision.model) });
    }
    if (e.type === "error") {
      return openaiErrorResponse(new ApiError("unavailable:ollama", e.message, { apiCode: "all_models_failed", interactionId: run.interactionId }));
    }
  }
  return openaiErrorResponse(new ApiError("unavailable:ollama", "The answer was cancelled.", { interactionId: run.interactionId }));
}

function streamed(run: ApiStream, includeUsage: boolean): Response {
  const id = completionId(run.interactionId);
  const created = seconds();
  const chunk = (model: string, delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...extra,
  });
  return sseResponse(run, {
    // The role chunk and the first text go out in one write (two small writes can stall on Nagle + delayed ACK).
    token: (model, text, first) => [
      ...(first ? [chunk(model, { role: "assistant", content: "" }, null, { elite: { ...eliteMeta(run.interactionId, run.decision), model } })] : []),
      chunk(model, { content: text }, null),
    ],
    notice: (model, text) => chunk(model, { content: text }, null),
    toolCalls: (model, calls, first, index) => [
      ...(first ? [chunk(model, { role: "assistant", content: null }, null, { elite: { ...eliteMeta(run.interactionId, run.decision), model } })] : []),
      chunk(model, { tool_calls: openaiToolCalls(calls, run.interactionId, index).map((c, k) => ({ index: index + k, ...c })) }, null),
    ],
    done: (e) => [
      chunk(e.decision.model, {}, e.toolCalls ? "tool_calls" : doneReason(e), { elite: eliteMeta(e.interactionId, e.decision) }),
      ...(includeUsage ? [{ id, object: "chat.completion.chunk", created, model: e.decision.model, choices: [], usage: usageOf(e) }] : []),
    ],
  });
}

/**
 * The server-sent events both OpenAI endpoints stream: each run event framed by `frame` as
 * `data:` lines (several in one write), a fallback's notice only once text has gone out,
 * `[DONE]` after the last chunk, and an error chunk when the run fails midway.
 */
export function sseResponse(
  run: ApiStream,
  frame: {
    token: (model: string, text: string, first: boolean) => unknown[];
    notice: (model: string, text: string) => unknown;
    /** the functions the model called (chat completions only); `index` of the first among all calls so far */
    toolCalls?: (model: string, calls: ToolCall[], first: boolean, index: number) => unknown[];
    done: (e: Extract<RunEvent, { type: "done" }>) => unknown[];
  },
): Response {
  const data = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
  const body = byteStream(async (write, end) => {
    let model = run.model;
    let sent = false;
    let calls = 0;
    try {
      for await (const e of run.events) {
        if (e.type === "token") {
          write(frame.token(model, e.text, !sent).map(data).join(""));
          sent = true;
        } else if (e.type === "tool_calls" && frame.toolCalls) {
          write(frame.toolCalls(model, e.calls, !sent, calls).map(data).join(""));
          calls += e.calls.length;
          sent = true;
        } else if (e.type === "fallback") {
          model = e.next.model;
          if (sent) write(data(frame.notice(model, fallbackNotice(e))));
        } else if (e.type === "done") {
          write(frame.done(e).map(data).join(""));
          write("data: [DONE]\n\n");
          end(); // the answer is recorded; its learning goes on without the client waiting
        } else if (e.type === "error") {
          write(data(streamErrorChunk(run, e)));
          end();
        }
      }
    } catch (err) {
      console.error("api stream failed", err);
      write(data(STREAM_FAILED));
    }
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", ...headersFor(run.interactionId, run.model) },
  });
}

/** `GET /v1/models`: `elite` and the roster's models. */
export async function openaiModels(request: Request): Promise<Response> {
  try {
    await identityFromRequest(request);
    return Response.json({ object: "list", data: await openaiModelList() }, { headers: { "cache-control": "no-store" } });
  } catch (e) {
    return openaiErrorResponse(e);
  }
}

/** `GET /v1/models/{model}` (the SDKs' `models.retrieve`): one model of the list, or 404 naming the ones there are. */
export async function openaiModel(request: Request, id: string): Promise<Response> {
  try {
    await identityFromRequest(request);
    const tag = (await resolveModel(id)) ?? ELITE_MODEL; // 404 model_not_found for any other name
    const found = (await openaiModelList()).find((m) => sameModel(m.id, tag))!;
    return Response.json(found, { headers: { "cache-control": "no-store" } });
  } catch (e) {
    return openaiErrorResponse(e);
  }
}

async function openaiModelList() {
  const created = seconds();
  return (await listedModels()).map((m) => ({
    id: m.name.replace(/:latest$/, ""),
    object: "model",
    created,
    owned_by: m.role ? `elite:${m.role}` : "elite",
  }));
}
