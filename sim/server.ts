import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { REFUSAL, classifyPrompt, composeAnswer, countTokens, fillMiddle, tokenize } from "./answers";
import { argumentsFor, isClassificationSchema, jsonForSchema } from "./structured-answers";
import { simEmbed } from "./embed";
import { chooseFault, validateRules, type Fault, type FaultRule } from "./faults";
import { buildCatalogue, loadProfiles, normalizeModelName, profilesPath, type SimModel, type TaskType } from "./models";
import { hash32, rng } from "./random";
import { BadRequest, Pacer, json, readBody, type Json } from "./http-io";
import { DEFAULT_KEEP_ALIVE_MS, parseKeepAlive } from "./keep-alive";
import { modelEntry, showBody } from "./model-listing";

export interface SimulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Seeds answer quality, content and probabilistic faults. */
  seed?: number;
  /** Multiplies load time, time to first token and token intervals; 0 answers at once. */
  timeScale?: number;
  faults?: FaultRule[];
  /** Models loaded (as in /api/ps) from the start. */
  loaded?: string[];
  /** Models installed (in /api/tags); default all the profile's models. Others can be pulled. */
  models?: string[];
  profilesFile?: string;
}

export interface SimStats {
  /** Requests per endpoint, e.g. `{"POST /api/chat": 3}`. */
  requests: Record<string, number>;
  /** Requests per model and endpoint. */
  byModel: Record<string, Record<string, number>>;
  /** Generation/embedding requests running now, per model. */
  inFlight: Record<string, number>;
  /** The most that ran at once, per model. */
  maxInFlight: Record<string, number>;
  /** Responses whose connection closed before they were complete (client abort, cut). */
  closedEarly: number;
  completed: number;
  /** The latest requests (up to 500), oldest first. */
  log: { seq: number; endpoint: string; model?: string; status: number; fault?: string; closedEarly: boolean; startedAt: number; endedAt?: number }[];
}

export interface Simulator {
  url: string;
  port: number;
  close(): Promise<void>;
  setFaults(rules: FaultRule[]): void;
  clearFaults(): void;
  stats(): SimStats;
  /** Forgets loaded models, attempt counters and statistics. */
  reset(): void;
  /** `false` stops listening (new connections are refused, open ones are destroyed); `true` listens again on the same port. */
  setListening(on: boolean): Promise<void>;
}

const FOREVER_MS = 292 * 365 * 24 * 3600 * 1000;
/** What a thinking model's reasoning looks like here (a stand-in). */
const THINKING = "First I work out what is asked, then I check the answer.";

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const catalogue = buildCatalogue(loadProfiles(options.profilesFile ?? profilesPath()));
  const seed = options.seed ?? 1;
  const timeScale = options.timeScale ?? 1;
  const bindHost = options.host ?? "127.0.0.1";
  let rules = validateRules(options.faults ?? []);

  const resolve = (name: unknown) => (typeof name === "string" && name ? normalizeModelName(name) : "");
  const installed = new Set<string>((options.models ?? [...catalogue.keys()]).map(resolve));
  for (const m of installed) if (!catalogue.has(m)) throw new Error(`the simulator has no profile for model "${m}"`);

  let loaded = new Map<string, number>();
  let attempts = new Map<string, number>();
  let faultCounters = new Map<string, number>();
  let stats: SimStats = emptyStats();
  let seq = 0;
  const initiallyLoaded = () => {
    loaded = new Map((options.loaded ?? []).map((m) => [resolve(m), Date.now() + DEFAULT_KEEP_ALIVE_MS]));
  };
  initiallyLoaded();

  function emptyStats(): SimStats {
    return { requests: {}, byModel: {}, inFlight: {}, maxInFlight: {}, closedEarly: 0, completed: 0, log: [] };
  }
  const isLoaded = (m: string) => (loaded.get(m) ?? 0) > Date.now();
  const keepLoaded = (m: string, keepAliveMs: number) =>
    loaded.set(m, keepAliveMs === Infinity ? Date.now() + FOREVER_MS : Date.now() + keepAliveMs);

  function lookup(name: unknown): SimModel | undefined {
    const n = resolve(name);
    return installed.has(n) ? catalogue.get(n) : undefined;
  }

  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) res.destroy();
      else if (e instanceof BadRequest) json(res, 400, { error: e.message });
      else json(res, 500, { error: e instanceof Error ? e.message : String(e) });
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  /** Counts a request and tracks it until its response closes. */
  function track(res: http.ServerResponse, endpoint: string, model: string | undefined, generation: boolean, fault?: Fault) {
    stats.requests[endpoint] = (stats.requests[endpoint] ?? 0) + 1;
    const entry: SimStats["log"][number] = {
      seq: ++seq,
      endpoint,
      model,
      status: 0,
      fault: fault ? ("n" in fault ? `${fault.kind}:${fault.n}` : fault.kind) : undefined,
      closedEarly: false,
      startedAt: Date.now(),
    };
    const current = stats;
    current.log.push(entry);
    if (current.log.length > 500) current.log.shift();
    if (model) {
      const per = (current.byModel[model] ??= {});
      per[endpoint] = (per[endpoint] ?? 0) + 1;
      if (generation) {
        current.inFlight[model] = (current.inFlight[model] ?? 0) + 1;
        current.maxInFlight[model] = Math.max(current.maxInFlight[model] ?? 0, current.inFlight[model]);
      }
    }
    res.on("close", () => {
      entry.status = res.statusCode;
      entry.endedAt = Date.now();
      entry.closedEarly = !res.writableFinished;
      if (entry.closedEarly) current.closedEarly++;
      else current.completed++;
      if (model && generation) current.inFlight[model]--;
    });
  }

  /** Handles the faults that decide a response before any work; true when the response is taken care of. */
  async function preFault(req: http.IncomingMessage, res: http.ServerResponse, fault: Fault | undefined, name: string, pacer: Pacer) {
    if (!fault) return false;
    switch (fault.kind) {
      case "refuse":
        req.socket.destroy();
        return true;
      case "http500":
        json(res, 500, { error: "llama runner process has terminated: exit status 2" });
        return true;
      case "unknown_model":
        json(res, 404, { error: `model "${name}" not found, try pulling it first` });
        return true;
      case "timeout":
        await pacer.hang();
        return true;
      default:
        return false;
    }
  }

  function nextFault(req: http.IncomingMessage, model: string): Fault | undefined {
    const counter = (faultCounters.get(model) ?? 0) + 1;
    faultCounters.set(model, counter);
    const header = req.headers["x-sim-fault"];
    return chooseFault({
      header: Array.isArray(header) ? header[0] : header,
      rules,
      model,
      seed,
      counter,
      normalize: resolve,
    });
  }

  async function generation(req: http.IncomingMessage, res: http.ServerResponse, kind: "chat" | "generate") {
    const endpoint = `POST /api/${kind}`;
    const body = await readBody(req);
    const requested = typeof body.model === "string" ? body.model : "";
    const model = lookup(requested);
    const name = resolve(requested);
    const fault = model ? nextFault(req, model.name) : undefined;
    track(res, endpoint, model?.name ?? (name || undefined), Boolean(model), fault);
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
    if (await preFault(req, res, fault, requested, pacer)) return;

    const options = (body.options && typeof body.options === "object" ? body.options : {}) as Json;
    const stream = body.stream !== false;
    let keepAliveMs: number;
    try {
      keepAliveMs = parseKeepAlive(body.keep_alive);
    } catch (e) {
      return json(res, 400, { error: (e as Error).message });
    }
    const messages = kind === "chat" ? ((Array.isArray(body.messages) ? body.messages : []) as { role?: string; content?: string }[]) : [];
    const promptText =
      kind === "chat"
        ? ([...messages].reverse().find((m) => m.role === "user")?.content ?? "")
        : typeof body.prompt === "string"
          ? body.prompt
          : "";
    const allText =
      kind === "chat"
        ? messages.map((m) => m.content ?? "").join("\n")
        : `${typeof body.system === "string" ? body.system : ""}\n${promptText}`;
    const createdAt = () => new Date().toISOString();

    // An empty request only loads (or, with keep_alive 0, unloads) the model, as in Ollama.
    const wasLoaded = isLoaded(model.name);
    const loadMs = wasLoaded ? 0 : model.loadMs;
    if ((kind === "chat" && messages.length === 0) || (kind === "generate" && !promptText)) {
      await pacer.sleep(loadMs * timeScale);
      if (keepAliveMs === 0) loaded.delete(model.name);
      else keepLoaded(model.name, keepAliveMs);
      const final = {
        model: requested,
        created_at: createdAt(),
        ...(kind === "chat" ? { message: { role: "assistant", content: "" } } : { response: "" }),
        done: true,
        done_reason: keepAliveMs === 0 ? "unload" : "load",
      };
      return json(res, 200, final);
    }

    // Loaded while it works; the keep_alive clock starts when the answer ends (0 unloads it then).
    keepLoaded(model.name, Math.max(keepAliveMs, 60_000));
    res.on("close", () => (keepAliveMs === 0 ? loaded.delete(model.name) : keepLoaded(model.name, keepAliveMs)));
    const numCtx = typeof options.num_ctx === "number" && options.num_ctx > 0 ? options.num_ctx : model.numCtx;
    const promptTokens = Math.min(countTokens(allText) + 4 * Math.max(1, messages.length), numCtx);

    // Quality: a seeded draw against the profile's success probability for this task type.
    const taskType: TaskType = classifyPrompt(promptText);
    const attemptKey = `${model.name}\u0000${promptText}`;
    const attempt = attempts.get(attemptKey) ?? 0;
    attempts.set(attemptKey, attempt + 1);
    const temperature = typeof options.temperature === "number" ? options.temperature : 0.8;
    const fixed = typeof options.seed === "number" || temperature === 0;
    const qSeed = hash32(typeof options.seed === "number" ? options.seed : seed, model.name, promptText, fixed ? 0 : attempt);
    const r = rng(qSeed);
    // Hotter sampling than 1 costs a little quality; colder than default changes nothing.
    // Classifying a request is a router's everyday job: judged by its "general" skill.
    const skill = isClassificationSchema(body.format) ? model.success.general : model.success[taskType];
    const p = skill * (temperature > 1 ? Math.max(0.5, 1 - (temperature - 1) * 0.3) : 1);
    const good = r() < p;
    const quality = Math.round((good ? 0.7 + 0.3 * r() : 0.45 * r()) * 1000) / 1000;

    // With tools, a request whose last turn is the user's is answered by calling the first tool
    // (arguments from its schema's required properties); after a tool's result, in words.
    const lastRole = messages[messages.length - 1]?.role;
    const toolCalls = tools && lastRole === "user" ? [{ function: { name: String(tools[0].function?.name ?? "tool"), arguments: argumentsFor(tools[0].function?.parameters, promptText) } }] : null;

    let content: string;
    if (toolCalls) content = "";
    else if (fault?.kind === "refusal") content = REFUSAL;
    else if (fault?.kind === "empty") content = "";
    else if (body.format && typeof body.format === "object")
      content = JSON.stringify(jsonForSchema(body.format as Json, { prompt: promptText, good, seed: qSeed }));
    else if (suffix !== null) content = fillMiddle(promptText, qSeed);
    else if (body.format === "json")
      content = JSON.stringify({ task_type: taskType, answer: composeAnswer({ prompt: promptText, taskType, good, seed: qSeed }) });
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

    const ttftMs = model.ttftMs * (1 + promptTokens / 2048);
    const tokenMs = 1000 / model.tokensPerSec;
    const slowMs = fault?.kind === "slow" ? fault.n : 0;
    const sim = { quality, good, task_type: taskType };
    const headers = {
      "x-sim-quality": String(quality),
      "x-sim-good": String(good),
      "x-sim-task-type": taskType,
    };
    const final = () => ({
      model: requested,
      created_at: createdAt(),
      ...(kind === "chat" ? { message: { role: "assistant", content: "" } } : { response: "" }),
      done: true,
      done_reason: doneReason,
      ...(kind === "generate" ? { context: [1, 2, 3] } : {}),
      total_duration: Math.round((loadMs + ttftMs + tokens.length * tokenMs + Math.max(0, tokens.length - 1) * slowMs + 1) * 1e6),
      load_duration: Math.round(loadMs * 1e6),
      prompt_eval_count: promptTokens,
      prompt_eval_duration: Math.round(ttftMs * 1e6),
      eval_count: tokens.length,
      eval_duration: Math.round((tokens.length * tokenMs + Math.max(0, tokens.length - 1) * slowMs) * 1e6),
      sim,
    });

    const start = performance.now();
    await pacer.sleep(loadMs * timeScale);
    await pacer.sleep(ttftMs * timeScale);
    if (pacer.closed) return;

    if (!stream) {
      // The whole answer at once, after the time it would have taken.
      await pacer.sleep(tokens.length * tokenMs * timeScale + Math.max(0, tokens.length - 1) * slowMs);
      if (pacer.closed) return;
      if (fault?.kind === "cut") return void req.socket.destroy();
      const out = final();
      if (kind === "chat") (out as Json).message = { role: "assistant", content: tokens.join(""), ...(think ? { thinking: THINKING } : {}), ...(toolCalls ? { tool_calls: toolCalls } : {}) };
      else (out as Json).response = tokens.join("");
      if (fault?.kind === "malformed") {
        res.writeHead(200, { "content-type": "application/json; charset=utf-8", ...headers });
        return void res.end(JSON.stringify(out).slice(0, 40));
      }
      const text = JSON.stringify(out);
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
      return void res.end(text);
    }

    res.writeHead(200, { "content-type": "application/x-ndjson", ...headers });
    const write = (obj: unknown) => new Promise<void>((done) => res.write(JSON.stringify(obj) + "\n", () => done()));
    if (think && kind === "chat") res.write(JSON.stringify({ model: requested, created_at: createdAt(), message: { role: "assistant", content: "", thinking: THINKING }, done: false }) + "\n");
    let due = performance.now() - start;
    for (let i = 0; i < tokens.length; i++) {
      if (fault?.kind === "cut" && i === fault.n) return void res.destroy();
      if (fault?.kind === "malformed" && i === fault.n) res.write(`{"model":"${requested}","created_at":"${createdAt()}","message":{"role":"assist\n`);
      if (i > 0) {
        due += tokenMs * timeScale + slowMs;
        await pacer.sleep(start + due - performance.now());
        if (pacer.closed) return;
      }
      const chunk = {
        model: requested,
        created_at: createdAt(),
        ...(kind === "chat" ? { message: { role: "assistant", content: tokens[i] } } : { response: tokens[i] }),
        done: false,
      };
      // Wait for the last chunk before a cut to leave, so the client sees exactly N chunks.
      if (fault?.kind === "cut" && i === fault.n - 1) await write(chunk);
      else res.write(JSON.stringify(chunk) + "\n");
    }
    if (fault?.kind === "cut") return void res.destroy();
    if (fault?.kind === "malformed" && fault.n >= tokens.length) res.write("{not json\n");
    if (toolCalls) res.write(JSON.stringify({ model: requested, created_at: createdAt(), message: { role: "assistant", content: "", tool_calls: toolCalls }, done: false }) + "\n");
    res.end(JSON.stringify(final()) + "\n");
  }

  async function embed(req: http.IncomingMessage, res: http.ServerResponse, legacy: boolean) {
    const endpoint = legacy ? "POST /api/embeddings" : "POST /api/embed";
    const body = await readBody(req);
    const requested = typeof body.model === "string" ? body.model : "";
    const model = lookup(requested);
    const fault = model ? nextFault(req, model.name) : undefined;
    track(res, endpoint, model?.name ?? (resolve(requested) || undefined), Boolean(model), fault);
    if (!model) return json(res, 404, { error: `model "${requested}" not found, try pulling it first` });
    const pacer = new Pacer(res);
    if (await preFault(req, res, fault, requested, pacer)) return;

    const raw = legacy ? body.prompt : body.input;
    const inputs = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw : undefined;
    if (!inputs || inputs.some((x) => typeof x !== "string")) return json(res, 400, { error: "invalid input type" });
    const dims = typeof body.dimensions === "number" && body.dimensions > 0 ? Math.min(body.dimensions, model.embeddingDim) : model.embeddingDim;
    const vectors = (inputs as string[]).map((text) => {
      const v = simEmbed(text, model.embeddingDim);
      if (dims === v.length) return v;
      // Shortened (Matryoshka-style) vectors are normalised again.
      const short = v.slice(0, dims);
      const norm = Math.hypot(...short) || 1;
      return short.map((x) => x / norm);
    });
    const loadMs = isLoaded(model.name) ? 0 : model.loadMs;
    keepLoaded(model.name, parseKeepAlive(body.keep_alive));
    const tokens = (inputs as string[]).reduce((n, t) => n + countTokens(t), 0);
    const evalMs = (tokens / model.tokensPerSec) * 1000;
    await pacer.sleep((loadMs + evalMs) * timeScale + (fault?.kind === "slow" ? fault.n : 0));
    if (pacer.closed) return;
    if (fault?.kind === "cut") return void req.socket.destroy();
    const out = legacy
      ? { embedding: vectors[0] }
      : {
          model: requested,
          embeddings: vectors,
          total_duration: Math.round((loadMs + evalMs + 1) * 1e6),
          load_duration: Math.round(loadMs * 1e6),
          prompt_eval_count: tokens,
        };
    if (fault?.kind === "malformed") {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      return void res.end(JSON.stringify(out).slice(0, 30));
    }
    json(res, 200, out);
  }

  async function show(req: http.IncomingMessage, res: http.ServerResponse) {
    const body = await readBody(req);
    const requested = typeof body.model === "string" ? body.model : typeof body.name === "string" ? body.name : "";
    const model = lookup(requested);
    const fault = model ? nextFault(req, model.name) : undefined;
    track(res, "POST /api/show", model?.name, false, fault);
    if (!model) return json(res, 404, { error: `model '${requested}' not found` });
    if (fault && ["refuse", "http500", "unknown_model", "timeout"].includes(fault.kind))
      if (await preFault(req, res, fault, requested, new Pacer(res))) return;
    json(res, 200, showBody(model));
  }

  async function pull(req: http.IncomingMessage, res: http.ServerResponse) {
    const body = await readBody(req);
    const requested = typeof body.model === "string" ? body.model : typeof body.name === "string" ? body.name : "";
    const name = resolve(requested);
    const model = catalogue.get(name);
    track(res, "POST /api/pull", model ? name : undefined, false);
    const pacer = new Pacer(res);
    const stream = body.stream !== false;
    const notFound = "pull model manifest: file does not exist";
    if (!stream) {
      if (!model) return json(res, 500, { error: notFound });
      await pacer.sleep(200 * timeScale);
      installed.add(name);
      return json(res, 200, { status: "success" });
    }
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    const line = (o: unknown) => res.write(JSON.stringify(o) + "\n");
    line({ status: "pulling manifest" });
    if (!model) return void res.end(JSON.stringify({ error: notFound }) + "\n");
    const total = model.sizeBytes;
    const digest = `sha256:${model.digest}`;
    for (let step = 0; step <= 4; step++) {
      await pacer.sleep(50 * timeScale);
      if (pacer.closed) return;
      line({ status: `pulling ${model.digest.slice(0, 12)}`, digest, total, completed: Math.round((total * step) / 4) });
    }
    line({ status: "verifying sha256 digest" });
    line({ status: "writing manifest" });
    installed.add(name);
    res.end(JSON.stringify({ status: "success" }) + "\n");
  }

  async function admin(req: http.IncomingMessage, res: http.ServerResponse, path: string) {
    if (path === "/__sim/stats") return json(res, 200, stats);
    if (path === "/__sim/reset" && req.method === "POST") {
      api.reset();
      return json(res, 200, { ok: true });
    }
    if (path === "/__sim/faults" && req.method === "DELETE") {
      rules = [];
      return json(res, 200, { faults: rules });
    }
    if (path === "/__sim/faults" && req.method === "POST") {
      const body = (await readBody(req)) as Json;
      try {
        rules = validateRules("faults" in body ? body.faults : body);
      } catch (e) {
        return json(res, 400, { error: (e as Error).message });
      }
      return json(res, 200, { faults: rules });
    }
    if (path === "/__sim/faults") return json(res, 200, { faults: rules });
    res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found");
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const path = new URL(req.url ?? "/", "http://sim").pathname;
    const route = `${req.method} ${path}`;
    if (path.startsWith("/__sim/")) return admin(req, res, path);
    switch (route) {
      case "GET /":
      case "HEAD /":
        track(res, route, undefined, false);
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        return void res.end(req.method === "HEAD" ? undefined : "Ollama is running");
      case "POST /api/chat":
        return generation(req, res, "chat");
      case "POST /api/generate":
        return generation(req, res, "generate");
      case "POST /api/embed":
        return embed(req, res, false);
      case "POST /api/embeddings":
        return embed(req, res, true);
      case "POST /api/show":
        return show(req, res);
      case "POST /api/pull":
        return pull(req, res);
      case "GET /api/tags":
        track(res, route, undefined, false);
        return json(res, 200, { models: [...installed].map((n) => modelEntry(catalogue.get(n)!)) });
      case "GET /api/ps": {
        track(res, route, undefined, false);
        const now = Date.now();
        const models = [...loaded]
          .filter(([name, until]) => until > now && installed.has(name))
          .map(([name, until]) => {
            const m = catalogue.get(name)!;
            return {
              ...modelEntry(m),
              expires_at: new Date(until).toISOString(),
              size_vram: m.sizeBytes,
              context_length: m.numCtx,
            };
          });
        return json(res, 200, { models });
      }
      case "GET /api/version":
        track(res, route, undefined, false);
        return json(res, 200, { version: "0.12.0-sim", simulator: true });
      default:
        track(res, route, undefined, false);
        res.writeHead(404, { "content-type": "text/plain" });
        return void res.end("404 page not found");
    }
  }

  let port = options.port ?? 0;
  const listen = () =>
    new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(port, bindHost, () => {
        server.off("error", fail);
        port = (server.address() as AddressInfo).port;
        ok();
      });
    });
  const stopListening = () =>
    new Promise<void>((ok) => {
      if (!server.listening) return ok();
      server.close(() => ok());
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
    });
  await listen();

  const api: Simulator = {
    url: `http://${bindHost}:${port}`,
    port,
    close: stopListening,
    setFaults(next) {
      rules = validateRules(next);
    },
    clearFaults() {
      rules = [];
    },
    stats: () => structuredClone(stats),
    reset() {
      initiallyLoaded();
      attempts = new Map();
      faultCounters = new Map();
      stats = emptyStats();
    },
    async setListening(on) {
      if (on && !server.listening) await listen();
      if (!on) await stopListening();
    },
  };
  return api;
}
