import "server-only";
import type { Identity } from "@/lib/auth";
import type { ChatResult, ModelOptions } from "@/lib/ollama";
import { FillError, planFill, streamFill, type FillChunk, type FillRequest } from "@/lib/orchestrator/fill-in-middle";
import { enforceCompletionRate } from "@/lib/auth/rate-limit";
import { ApiError } from "./errors";
import { byteStream, nanoseconds, resolveModel } from "./run";
import { textCompletion } from "./openai";
import type { OllamaGenerateBody, OpenAICompletionBody } from "./schemas";

/**
 * Editors' completions in both dialects (`/api/generate` with `suffix` or `raw`,
 * `/v1/completions` with `suffix`), on the fast path of lib/orchestrator/fill-in-middle.ts.
 * Headers wait for the first token, so a refusal or an unavailable model is still a clear
 * status; after that the text streams as Ollama or OpenAI frame it.
 */

/** What the client asked, as the fast path takes it, with the model as the client named it (`elite` or a tag). */
type FillInput = Omit<FillRequest, "userId" | "signal" | "model"> & { model: string };

interface StartedFill {
  model: string;
  startedAt: number;
  head: FillChunk[];
  rest: AsyncGenerator<FillChunk>;
}

async function startFill(identity: Identity, input: FillInput, signal: AbortSignal): Promise<StartedFill> {
  const startedAt = performance.now();
  enforceCompletionRate(identity.userId);
  const forced = await resolveModel(input.model);
  let order: string[];
  try {
    order = await planFill(forced, input.suffix !== "");
  } catch (e) {
    if (e instanceof FillError) {
      throw e.kind === "unsupported"
        ? new ApiError("bad_request:api", e.message, { param: forced ? "model" : "suffix", apiCode: "insert_not_supported" })
        : new ApiError("unavailable:ollama", e.message);
    }
    throw e;
  }
  const rest = streamFill({ ...input, userId: identity.userId, model: forced, signal }, order);
  const head: FillChunk[] = [];
  try {
    for (;;) {
      const r = await rest.next();
      if (r.done) break;
      head.push(r.value);
      if (r.value.type !== "model") break;
    }
  } catch (e) {
    throw new ApiError("unavailable:ollama", e instanceof Error ? e.message : "No model answered.");
  }
  const first = head.find((c) => c.type === "model");
  if (!first) throw new ApiError("unavailable:ollama", signal.aborted ? "The completion was cancelled." : "No model answered.");
  return { model: first.model, startedAt, head, rest };
}

async function* chunks(f: StartedFill): AsyncGenerator<FillChunk> {
  yield* f.head;
  yield* f.rest;
}

const meta = (model: string) => ({ model, task_type: "completion", reason: "fast path" });

// ── Ollama ─────────────────────────────────────────────────────────────────────────────

export async function fillOllama(identity: Identity, body: OllamaGenerateBody, signal: AbortSignal): Promise<Response> {
  const f = await startFill(
    identity,
    { model: body.model, prompt: body.prompt ?? "", suffix: body.suffix ?? "", system: body.system, raw: body.raw, options: body.options as ModelOptions | undefined, keepAlive: body.keep_alive },
    signal,
  );
  const final = (r: ChatResult) => ({
    model: f.model,
    created_at: new Date().toISOString(),
    response: "",
    done: true,
    done_reason: r.doneReason,
    context: [],
    total_duration: nanoseconds(performance.now() - f.startedAt),
    load_duration: nanoseconds(r.loadDurationMs),
    prompt_eval_count: r.promptEvalCount,
    prompt_eval_duration: nanoseconds(r.promptEvalDurationMs),
    eval_count: r.evalCount,
    eval_duration: nanoseconds(r.evalDurationMs),
    elite: meta(f.model),
  });
  const headers = { "x-elite-model": f.model, "cache-control": "no-store" };
  if (body.stream === false) {
    let text = "";
    for await (const c of chunks(f)) {
      if (c.type === "text") text += c.text;
      if (c.type === "done") return Response.json({ ...final(c.result), response: text }, { headers });
    }
    throw new ApiError("unavailable:ollama", "The completion broke off.");
  }
  const line = (o: unknown) => `${JSON.stringify(o)}\n`;
  const stream = byteStream(async (write) => {
    try {
      for await (const c of chunks(f)) {
        if (c.type === "text") write(line({ model: f.model, created_at: new Date().toISOString(), response: c.text, done: false }));
        else if (c.type === "done") write(line(final(c.result)));
      }
    } catch (e) {
      if (!signal.aborted) write(line({ error: e instanceof Error ? e.message : "The completion broke off." }));
    }
  });
  return new Response(stream, { headers: { "content-type": "application/x-ndjson", ...headers } });
}

// ── OpenAI ─────────────────────────────────────────────────────────────────────────────

/** OpenAI's sampling fields in Ollama's terms. */
function openaiOptions(b: OpenAICompletionBody): ModelOptions {
  const o: ModelOptions = {};
  if (b.max_tokens != null) o.num_predict = b.max_tokens;
  if (b.temperature != null) o.temperature = b.temperature;
  if (b.top_p != null) o.top_p = b.top_p;
  if (b.seed != null) o.seed = b.seed;
  if (b.stop != null) o.stop = Array.isArray(b.stop) ? b.stop : [b.stop];
  return o;
}

export async function fillOpenAI(identity: Identity, body: OpenAICompletionBody, signal: AbortSignal): Promise<Response> {
  const prompt = typeof body.prompt === "string" ? body.prompt : body.prompt[0];
  const f = await startFill(identity, { model: body.model, prompt, suffix: body.suffix ?? "", options: openaiOptions(body) }, signal);
  const id = crypto.randomUUID();
  const completion = (text: string, finish: string | null, extra: Record<string, unknown> = {}) => textCompletion(id, f.model, text, finish, extra);
  const usage = (r: ChatResult) => ({ prompt_tokens: r.promptEvalCount, completion_tokens: r.evalCount, total_tokens: r.promptEvalCount + r.evalCount });
  const finish = (r: ChatResult) => (r.doneReason === "length" ? "length" : "stop");
  const headers = { "x-elite-model": f.model, "cache-control": "no-store" };
  if (!body.stream) {
    let text = "";
    for await (const c of chunks(f)) {
      if (c.type === "text") text += c.text;
      if (c.type === "done") return Response.json(completion(text, finish(c.result), { usage: usage(c.result), elite: meta(f.model) }), { headers });
    }
    throw new ApiError("unavailable:ollama", "The completion broke off.");
  }
  const data = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
  const stream = byteStream(async (write) => {
    try {
      for await (const c of chunks(f)) {
        if (c.type === "text") write(data(completion(c.text, null)));
        else if (c.type === "done") write(data(completion("", finish(c.result), { usage: usage(c.result), elite: meta(f.model) })));
      }
      write("data: [DONE]\n\n");
    } catch (e) {
      if (!signal.aborted) write(data({ error: { message: e instanceof Error ? e.message : "The completion broke off.", type: "server_error", param: null, code: "completion_failed" } }));
    }
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", ...headers } });
}
