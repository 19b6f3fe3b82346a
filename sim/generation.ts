/**
 * `POST /api/chat` and `POST /api/generate`: check the request as Ollama does, draw the
 * answer's quality for (model, prompt, attempt), compose it, and send it after the time the
 * profiled hardware would take (load, first token, one interval per token), streamed as
 * NDJSON or whole, with the request's fault applied on the way.
 */
import type http from "node:http";
import { REFUSAL, classifyPrompt, composeAnswer, countTokens, fillMiddle, tokenize } from "./answers";
import { argumentsFor, isClassificationSchema, jsonForSchema } from "./structured-answers";
import type { Fault } from "./faults";
import type { SimModel, TaskType } from "./models";
import { hash32, rng } from "./random";
import { Pacer, json, readBody, type Json } from "./http-io";
import { parseKeepAlive } from "./keep-alive";
import { respondWithFault } from "./fault-response";
import { resolveModelName, type SimState } from "./state";

/** What a thinking model's reasoning looks like here (a stand-in). */
const THINKING = "First I work out what is asked, then I check the answer.";

type Kind = "chat" | "generate";
type Message = { role?: string; content?: string };
type ToolCall = { function: { name: string; arguments: Json } };

export async function generation(state: SimState, req: http.IncomingMessage, res: http.ServerResponse, kind: Kind) {
  const endpoint = `POST /api/${kind}`;
  const body = await readBody(req);
  const requested = typeof body.model === "string" ? body.model : "";
  const model = state.lookup(requested);
  const name = resolveModelName(requested);
  const fault = model ? state.nextFault(req, model.name) : undefined;
  state.track(res, endpoint, model?.name ?? (name || undefined), Boolean(model), fault);
  if (!requested) return json(res, 400, { error: "model is required" });
  if (!model) return json(res, 404, { error: `model "${requested}" not found, try pulling it first` });
  if (model.embedding) return json(res, 400, { error: `"${requested}" does not support ${kind}` });

  const suffix = kind === "generate" && typeof body.suffix === "string" && body.suffix !== "" ? body.suffix : null;
  if (suffix !== null && !model.template.includes(".Suffix")) return json(res, 400, { error: `registry.ollama.ai/library/${requested} does not support insert` });
  const tools = kind === "chat" && Array.isArray(body.tools) && body.tools.length > 0 ? (body.tools as { function?: { name?: string; parameters?: Json } }[]) : null;
  if (tools && !model.template.includes(".Tools")) return json(res, 400, { error: `registry.ollama.ai/library/${requested} does not support tools` });
  const think = body.think === true || (typeof body.think === "string" && body.think !== "");
  if (think && !model.template.includes(".Think")) return json(res, 400, { error: `"${requested}" does not support thinking` });

  const pacer = new Pacer(res);
  if (await respondWithFault(req, res, fault, requested, pacer)) return;

  const options = (body.options && typeof body.options === "object" ? body.options : {}) as Json;
  let keepAliveMs: number;
  try {
    keepAliveMs = parseKeepAlive(body.keep_alive);
  } catch (e) {
    return json(res, 400, { error: (e as Error).message });
  }
  const messages = kind === "chat" ? ((Array.isArray(body.messages) ? body.messages : []) as Message[]) : [];
  const promptText =
    kind === "chat" ? ([...messages].reverse().find((m) => m.role === "user")?.content ?? "") : typeof body.prompt === "string" ? body.prompt : "";

  // An empty request only loads (or, with keep_alive 0, unloads) the model, as in Ollama.
  const loadMs = state.isLoaded(model.name) ? 0 : model.loadMs;
  if ((kind === "chat" && messages.length === 0) || (kind === "generate" && !promptText)) {
    await pacer.sleep(loadMs * state.timeScale);
    if (keepAliveMs === 0) state.loaded.delete(model.name);
    else state.keepLoaded(model.name, keepAliveMs);
    return json(res, 200, { ...responseStart(requested, kind), done: true, done_reason: keepAliveMs === 0 ? "unload" : "load" });
  }

  // Loaded while it works; the keep_alive clock starts when the answer ends (0 unloads it then).
  state.keepLoaded(model.name, Math.max(keepAliveMs, 60_000));
  res.on("close", () => (keepAliveMs === 0 ? state.loaded.delete(model.name) : state.keepLoaded(model.name, keepAliveMs)));
  const allText = kind === "chat" ? messages.map((m) => m.content ?? "").join("\n") : `${typeof body.system === "string" ? body.system : ""}\n${promptText}`;
  const numCtx = typeof options.num_ctx === "number" && options.num_ctx > 0 ? options.num_ctx : model.numCtx;
  const promptTokens = Math.min(countTokens(allText) + 4 * Math.max(1, messages.length), numCtx);

  // With tools, a request whose last turn is the user's is answered by calling the first tool
  // (arguments from its schema's required properties); after a tool's result, in words.
  const lastRole = messages[messages.length - 1]?.role;
  const toolCalls: ToolCall[] | null =
    tools && lastRole === "user" ? [{ function: { name: String(tools[0].function?.name ?? "tool"), arguments: argumentsFor(tools[0].function?.parameters, promptText) } }] : null;

  const answer = drawAnswer(state, { model, body, options, promptText, suffix, fault, toolCalls });
  const ttftMs = model.ttftMs * (1 + promptTokens / 2048);
  const tokenMs = 1000 / model.tokensPerSec;
  const slowMs = fault?.kind === "slow" ? fault.n : 0;
  const { tokens, doneReason } = answer;
  const final = () => ({
    ...responseStart(requested, kind),
    done: true,
    done_reason: doneReason,
    ...(kind === "generate" ? { context: [1, 2, 3] } : {}),
    total_duration: Math.round((loadMs + ttftMs + tokens.length * tokenMs + Math.max(0, tokens.length - 1) * slowMs + 1) * 1e6),
    load_duration: Math.round(loadMs * 1e6),
    prompt_eval_count: promptTokens,
    prompt_eval_duration: Math.round(ttftMs * 1e6),
    eval_count: tokens.length,
    eval_duration: Math.round((tokens.length * tokenMs + Math.max(0, tokens.length - 1) * slowMs) * 1e6),
    sim: { quality: answer.quality, good: answer.good, task_type: answer.taskType },
  });
  const headers = { "x-sim-quality": String(answer.quality), "x-sim-good": String(answer.good), "x-sim-task-type": answer.taskType };

  const start = performance.now();
  await pacer.sleep(loadMs * state.timeScale);
  await pacer.sleep(ttftMs * state.timeScale);
  if (pacer.closed) return;
  const send = { req, res, pacer, requested, kind, tokens, fault, think, toolCalls, headers, final };
  if (body.stream === false) return sendWhole(send, tokens.length * tokenMs * state.timeScale + Math.max(0, tokens.length - 1) * slowMs);
  return streamTokens(send, { start, intervalMs: tokenMs * state.timeScale + slowMs });
}

/** The start of a response object: the model as asked for, the time, an empty message or response. */
function responseStart(requested: string, kind: Kind) {
  return {
    model: requested,
    created_at: new Date().toISOString(),
    ...(kind === "chat" ? { message: { role: "assistant", content: "" } } : { response: "" }),
  };
}

/**
 * The answer to this attempt: good or bad by a seeded draw against the profile's success
 * probability for the prompt's task type, its text (prose, code, maths, JSON for a schema,
 * the middle for fill-in-the-middle), ended before a stop string and cut at `num_predict`.
 */
function drawAnswer(
  state: SimState,
  a: { model: SimModel; body: Json; options: Json; promptText: string; suffix: string | null; fault: Fault | undefined; toolCalls: ToolCall[] | null },
): { taskType: TaskType; quality: number; good: boolean; tokens: string[]; doneReason: string } {
  const { model, body, options, promptText } = a;
  const taskType: TaskType = classifyPrompt(promptText);
  const attempt = state.nextAttempt(model.name, promptText);
  const temperature = typeof options.temperature === "number" ? options.temperature : 0.8;
  const fixed = typeof options.seed === "number" || temperature === 0;
  const qSeed = hash32(typeof options.seed === "number" ? options.seed : state.seed, model.name, promptText, fixed ? 0 : attempt);
  const r = rng(qSeed);
  // Hotter sampling than 1 costs a little quality; colder than default changes nothing.
  // Classifying a request is a router's everyday job: judged by its "general" skill.
  const skill = isClassificationSchema(body.format) ? model.success.general : model.success[taskType];
  const p = skill * (temperature > 1 ? Math.max(0.5, 1 - (temperature - 1) * 0.3) : 1);
  const good = r() < p;
  const quality = Math.round((good ? 0.7 + 0.3 * r() : 0.45 * r()) * 1000) / 1000;

  let content: string;
  if (a.toolCalls) content = "";
  else if (a.fault?.kind === "refusal") content = REFUSAL;
  else if (a.fault?.kind === "empty") content = "";
  else if (body.format && typeof body.format === "object") content = JSON.stringify(jsonForSchema(body.format as Json, { prompt: promptText, good, seed: qSeed }));
  else if (a.suffix !== null) content = fillMiddle(promptText, qSeed);
  else if (body.format === "json") content = JSON.stringify({ task_type: taskType, answer: composeAnswer({ prompt: promptText, taskType, good, seed: qSeed }) });
  else content = composeAnswer({ prompt: promptText, taskType, good, seed: qSeed });

  // As Ollama: the answer ends before the first of the request's stop strings (not included).
  const stops = Array.isArray(options.stop) ? options.stop.filter((x): x is string => typeof x === "string" && x.length > 0) : [];
  const stopAt = Math.min(...stops.map((x) => content.indexOf(x)).filter((i) => i >= 0));
  if (Number.isFinite(stopAt)) content = content.slice(0, stopAt);

  let tokens = tokenize(content);
  let doneReason = "stop";
  const numPredict = typeof options.num_predict === "number" ? options.num_predict : -1;
  if (numPredict >= 0 && tokens.length > numPredict) {
    tokens = tokens.slice(0, numPredict);
    doneReason = "length";
  }
  return { taskType, quality, good, tokens, doneReason };
}

interface Sending {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  pacer: Pacer;
  requested: string;
  kind: Kind;
  tokens: string[];
  fault: Fault | undefined;
  think: boolean;
  toolCalls: ToolCall[] | null;
  headers: Record<string, string>;
  final: () => Json;
}

/** `stream: false`: the whole answer in one object, after the time it would have taken. */
async function sendWhole(s: Sending, answerMs: number) {
  const { req, res, pacer, fault } = s;
  await pacer.sleep(answerMs);
  if (pacer.closed) return;
  if (fault?.kind === "cut") return void req.socket.destroy();
  const out = s.final();
  if (s.kind === "chat") out.message = { role: "assistant", content: s.tokens.join(""), ...(s.think ? { thinking: THINKING } : {}), ...(s.toolCalls ? { tool_calls: s.toolCalls } : {}) };
  else out.response = s.tokens.join("");
  if (fault?.kind === "malformed") {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", ...s.headers });
    return void res.end(JSON.stringify(out).slice(0, 40));
  }
  const text = JSON.stringify(out);
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...s.headers });
  res.end(text);
}

/** NDJSON: one chunk a token, each due `intervalMs` after the last (from `start`, so waits do not drift), then the final object. */
async function streamTokens(s: Sending, { start, intervalMs }: { start: number; intervalMs: number }) {
  const { res, pacer, requested, kind, tokens, fault } = s;
  const line = (obj: unknown) => JSON.stringify(obj) + "\n";
  const write = (obj: unknown) => new Promise<void>((done) => res.write(line(obj), () => done()));
  const createdAt = () => new Date().toISOString();
  res.writeHead(200, { "content-type": "application/x-ndjson", ...s.headers });
  if (s.think && kind === "chat") res.write(line({ model: requested, created_at: createdAt(), message: { role: "assistant", content: "", thinking: THINKING }, done: false }));
  let due = performance.now() - start;
  for (let i = 0; i < tokens.length; i++) {
    if (fault?.kind === "cut" && i === fault.n) return void res.destroy();
    if (fault?.kind === "malformed" && i === fault.n) res.write(`{"model":"${requested}","created_at":"${createdAt()}","message":{"role":"assist\n`);
    if (i > 0) {
      due += intervalMs;
      await pacer.sleep(start + due - performance.now());
      if (pacer.closed) return;
    }
    const chunk = { model: requested, created_at: createdAt(), ...(kind === "chat" ? { message: { role: "assistant", content: tokens[i] } } : { response: tokens[i] }), done: false };
    // Wait for the last chunk before a cut to leave, so the client sees exactly N chunks.
    if (fault?.kind === "cut" && i === fault.n - 1) await write(chunk);
    else res.write(line(chunk));
  }
  if (fault?.kind === "cut") return void res.destroy();
  if (fault?.kind === "malformed" && fault.n >= tokens.length) res.write("{not json\n");
  if (s.toolCalls) res.write(line({ model: requested, created_at: createdAt(), message: { role: "assistant", content: "", tool_calls: s.toolCalls }, done: false }));
  res.end(line(s.final()));
}
