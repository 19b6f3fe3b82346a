import type { AbortableAsyncIterator, ChatResponse, ShowResponse } from "ollama";
import {
  ContextOverflowError,
  ModelMissingError,
  NoHealthyHostError,
  OllamaError,
  OllamaHttpError,
  OllamaTimeoutError,
  OllamaUnreachableError,
  MalformedResponseError,
  isHostFailure,
} from "./errors";
import { normalizeModel } from "@/lib/domain/model-tag";
import { KeyedLimiter } from "./limiter";
import { MALFORMED, mapError, openCall, type Call } from "./transport";
import type {
  ChatChunk,
  ChatMessage,
  ChatRequest,
  ChatResult,
  EmbedRequest,
  EmbedResult,
  HostHealth,
  HostModels,
  LoadedModel,
  ModelInfo,
  PoolOptions,
  PullProgress,
} from "./types";


/**
 * Tokens in a text, estimated as characters / 4. A documented approximation: English prose
 * and code run at 3.5–4.5 characters per token for Llama-family tokenizers; the real count
 * is only known after Ollama answers (prompt_eval_count).
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Messages plus about 4 tokens each for the chat template's role markers. */
export function estimateMessagesTokens(messages: readonly Pick<ChatMessage, "content">[]): number {
  return messages.reduce((n, m) => n + estimateTokens(m.content) + 4, 0);
}

interface Cached<T> {
  at: number;
  value: T;
}

interface HostState {
  url: string;
  failures: number[];
  coolingUntil: number;
  halfOpen: boolean;
  inFlight: number;
  tags?: Cached<Set<string>>;
  tagsLoading?: Promise<Set<string>>;
  ps?: Cached<Set<string>>;
  psLoading?: Promise<Set<string>>;
}

const NS_PER_MS = 1e6;

/** A chat request on its way: the host, the call, the client's stream and how to end it. */
interface Attempt {
  h: HostState;
  call: Call;
  stream: AbortableAsyncIterator<ChatResponse>;
  t0: number;
  firstChunk: () => void;
  close: (finished: boolean) => void;
}

/**
 * A pool of Ollama hosts over the official client: picks a healthy host that has the model
 * (preferring one where it is loaded), limits requests per model, times out stalled answers,
 * cools down failing hosts, and turns every failure into a typed OllamaError.
 */
export class OllamaPool {
  private readonly hosts: HostState[];
  private readonly limiter: KeyedLimiter;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly cfg: {
    firstTokenMs: number;
    totalMs: number;
    metadataMs: number;
    failuresPerMinute: number;
    cooldownMs: number;
    tagsMs: number;
    psMs: number;
  };
  private readonly showCache = new Map<string, Cached<ModelInfo>>();
  private roundRobin = 0;

  constructor(opts: PoolOptions) {
    if (!opts.hosts.length) throw new Error("OllamaPool needs at least one host");
    this.hosts = [...new Set(opts.hosts.map((h) => h.replace(/\/+$/, "")))].map((url) => ({
      url,
      failures: [],
      coolingUntil: 0,
      halfOpen: false,
      inFlight: 0,
    }));
    this.limiter = new KeyedLimiter(opts.limits?.perModelConcurrency ?? 2, opts.limits?.queueTimeoutMs ?? 60_000);
    this.fetchImpl = opts.fetch ?? ((input, init) => fetch(input, init));
    this.now = opts.now ?? Date.now;
    this.cfg = {
      firstTokenMs: opts.timeouts?.firstTokenMs ?? 60_000,
      totalMs: opts.timeouts?.totalMs ?? 300_000,
      metadataMs: opts.timeouts?.metadataMs ?? 5_000,
      failuresPerMinute: opts.cooldown?.failuresPerMinute ?? 3,
      cooldownMs: opts.cooldown?.cooldownMs ?? 30_000,
      tagsMs: opts.cache?.tagsMs ?? 30_000,
      psMs: opts.cache?.psMs ?? 5_000,
    };
  }

  get hostUrls(): string[] {
    return this.hosts.map((h) => h.url);
  }

  // ---------------------------------------------------------------- health and cool-down

  /** Available unless cooling down; a host whose cool-down ended is half-open: one failure sends it back. */
  private available(h: HostState): boolean {
    if (!h.coolingUntil) return true;
    if (this.now() < h.coolingUntil) return false;
    h.coolingUntil = 0;
    h.halfOpen = true;
    return true;
  }

  private recordFailure(h: HostState) {
    const t = this.now();
    h.failures = h.failures.filter((x) => t - x < 60_000);
    h.failures.push(t);
    if (h.halfOpen || h.failures.length >= this.cfg.failuresPerMinute) {
      h.coolingUntil = t + this.cfg.cooldownMs;
      h.failures = [];
      h.halfOpen = false;
      h.tags = h.ps = undefined;
    }
  }

  private recordSuccess(h: HostState) {
    h.halfOpen = false;
  }

  /** The error to record against a host, if it says something about the host. */
  private judge(h: HostState, e: unknown): unknown {
    if (isHostFailure(e)) this.recordFailure(h);
    return e;
  }

  // ---------------------------------------------------------------- one call to one host

  /** Runs `fn` against a host with a time limit and the caller's signal, mapping errors. */
  private async call<T>(
    h: HostState,
    fn: (call: Call) => Promise<T>,
    opts: { model?: string; timeoutMs?: number; signal?: AbortSignal; record?: boolean; probe?: boolean } = {},
  ): Promise<T> {
    opts.signal?.throwIfAborted();
    const call = openCall({ host: h.url, fetch: this.fetchImpl, ndjson: false });
    const timeoutMs = opts.timeoutMs ?? this.cfg.metadataMs;
    const timer = setTimeout(() => call.abort(new OllamaTimeoutError("total", timeoutMs, { host: h.url, model: opts.model })), timeoutMs);
    const onAbort = () => call.abort(opts.signal?.reason);
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const out = await fn(call);
      // A metadata probe answering does not prove the host can serve models again.
      if (!opts.probe) this.recordSuccess(h);
      return out;
    } catch (e) {
      const err = mapError(e, call, { host: h.url, model: opts.model });
      throw opts.record === false ? err : this.judge(h, err);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    }
  }

  private tagsOf(h: HostState, force = false): Promise<Set<string>> {
    if (!force && h.tags && this.now() - h.tags.at < this.cfg.tagsMs) return Promise.resolve(h.tags.value);
    h.tagsLoading ??= this.call(h, (c) => c.client.list(), { probe: true })
      .then((r) => {
        const value = new Set(r.models.map((m) => normalizeModel(m.name)));
        h.tags = { at: this.now(), value };
        return value;
      })
      .finally(() => (h.tagsLoading = undefined));
    return h.tagsLoading;
  }

  private psOf(h: HostState): Promise<Set<string>> {
    if (h.ps && this.now() - h.ps.at < this.cfg.psMs) return Promise.resolve(h.ps.value);
    h.psLoading ??= this.call(h, (c) => c.client.ps(), { probe: true })
      .then((r) => {
        const value = new Set(r.models.map((m) => normalizeModel(m.name)));
        h.ps = { at: this.now(), value };
        return value;
      })
      .finally(() => (h.psLoading = undefined));
    return h.psLoading;
  }

  /**
   * A host for the model: not cooling down, has it (cached /api/tags, refreshed when the
   * model is not listed), preferring hosts where it is loaded (/api/ps), then the least busy.
   */
  private async pickHost(model: string, exclude: ReadonlySet<string> = new Set()): Promise<HostState> {
    const key = normalizeModel(model);
    const open = this.hosts.filter((h) => !exclude.has(h.url) && this.available(h));
    if (!open.length) {
      throw new NoHealthyHostError(
        this.hosts.map((h) => ({
          host: h.url,
          coolingDownUntil: h.coolingUntil ? new Date(h.coolingUntil) : undefined,
          reason: exclude.has(h.url) ? "failed for this request" : undefined,
        })),
        { model },
      );
    }
    const errors: unknown[] = [];
    const look = async (hosts: HostState[], force: boolean) =>
      (
        await Promise.all(
          hosts.map((h) =>
            this.tagsOf(h, force).then(
              (tags) => ({ h, has: tags.has(key), ok: true }),
              (e: unknown) => (errors.push(e), { h, has: false, ok: false }),
            ),
          ),
        )
      ).filter((x) => x.ok);
    let reachable = await look(open, false);
    // Not listed anywhere: maybe pulled since; ask the reachable hosts again before giving up.
    if (!reachable.some((x) => x.has) && reachable.length) reachable = await look(reachable.map((x) => x.h), true);
    const having = reachable.filter((x) => x.has).map((x) => x.h);
    if (!having.length) {
      if (!reachable.length) throw errors.find((e) => e instanceof OllamaError) ?? errors[0];
      throw new ModelMissingError(model, { host: open.length === 1 ? open[0].url : undefined });
    }
    let candidates = having;
    if (having.length > 1) {
      const loaded = await Promise.all(having.map((h) => this.psOf(h).then((s) => s.has(key), () => false)));
      const warm = having.filter((_, i) => loaded[i]);
      if (warm.length) candidates = warm;
    }
    const least = Math.min(...candidates.map((h) => h.inFlight));
    const idle = candidates.filter((h) => h.inFlight === least);
    return idle[this.roundRobin++ % idle.length];
  }

  // ---------------------------------------------------------------- chat

  /**
   * Streams an answer: `delta` chunks, then one `done` chunk with the stats. Waits for a free
   * slot for the model first. Breaking out of the loop or aborting `signal` closes the
   * connection. A host that cannot be reached before anything streamed is skipped for the next.
   */
  async *chatStream(req: ChatRequest): AsyncGenerator<ChatChunk, void, undefined> {
    const queuedAt = performance.now();
    const release = await this.limiter.acquire(normalizeModel(req.model), req.signal);
    let attempt: Attempt | undefined;
    let finished = false;
    let partial = "";
    try {
      const queuedMs = performance.now() - queuedAt;
      attempt = await this.openStream(req, () => partial);
      const { h, call, stream, t0 } = attempt;
      let ttftMs = -1;
      try {
        // One loop, no nested generator: every layer costs promise hops per chunk.
        for await (const chunk of stream) {
          // Aborted (or timed out) while the caller held the last chunk: stop even if more are buffered.
          call.signal.throwIfAborted();
          if (MALFORMED in chunk)
            throw new MalformedResponseError(String((chunk as Record<string, unknown>)[MALFORMED]), { host: h.url, model: req.model, partial });
          if (ttftMs < 0) {
            attempt.firstChunk();
            ttftMs = performance.now() - t0;
          }
          if (chunk.done) {
            finished = true;
            this.recordSuccess(h);
            h.ps?.value.add(normalizeModel(req.model));
            yield { type: "done", result: this.result(h, req, chunk, partial, { queuedMs, ttftMs, wallMs: performance.now() - t0 }) };
            return;
          }
          const content = chunk.message?.content ?? "";
          partial += content;
          yield chunk.message?.thinking ? { type: "delta", content, thinking: chunk.message.thinking } : { type: "delta", content };
        }
      } catch (e) {
        throw this.judge(h, mapError(e, call, { host: h.url, model: req.model, partial, streaming: true }));
      }
    } finally {
      // Early break, error or abort: close() also closes the connection instead of letting it run on.
      attempt?.close(finished);
      release();
    }
  }

  /**
   * Sends the chat request to a host and waits for the response headers, with the time-outs
   * armed. A host that cannot be reached is skipped for the next one that has the model.
   */
  private async openStream(req: ChatRequest, partial: () => string): Promise<Attempt> {
    const { firstTokenMs, totalMs } = this.cfg;
    const tried = new Set<string>();
    let unreachable: unknown;
    for (;;) {
      let h: HostState;
      try {
        h = await this.pickHost(req.model, tried);
      } catch (e) {
        throw unreachable ?? e; // no other host: report the first host's failure
      }
      tried.add(h.url);
      req.signal?.throwIfAborted();
      const host = h;
      const call = openCall({ host: h.url, fetch: this.fetchImpl, ndjson: true, headers: req.headers });
      const where = () => ({ host: host.url, model: req.model, partial: partial() });
      let firstTimer: NodeJS.Timeout | undefined = setTimeout(
        () => call.abort(new OllamaTimeoutError("first_token", firstTokenMs, where())),
        firstTokenMs,
      );
      const totalTimer = setTimeout(() => call.abort(new OllamaTimeoutError("total", totalMs, where())), totalMs);
      const onAbort = () => call.abort(req.signal?.reason);
      req.signal?.addEventListener("abort", onAbort, { once: true });
      let stream: AbortableAsyncIterator<ChatResponse> | undefined;
      h.inFlight++;
      const close = (finished: boolean) => {
        host.inFlight--;
        clearTimeout(firstTimer);
        clearTimeout(totalTimer);
        req.signal?.removeEventListener("abort", onAbort);
        if (!finished) {
          stream?.abort();
          call.abort();
        }
      };
      const t0 = performance.now();
      try {
        stream = await call.client.chat({
          model: req.model,
          messages: req.messages,
          options: req.options,
          format: req.format,
          keep_alive: req.keepAlive,
          think: req.think,
          stream: true,
        });
        const firstChunk = () => {
          clearTimeout(firstTimer);
          firstTimer = undefined;
        };
        return { h, call, stream, t0, firstChunk, close };
      } catch (e) {
        const err = this.judge(h, mapError(e, call, { host: h.url, model: req.model, partial: "", streaming: true }));
        close(false);
        if (!(err instanceof OllamaUnreachableError) || tried.size >= this.hosts.length) throw err;
        unreachable ??= err;
      }
    }
  }

  private result(
    h: HostState,
    req: ChatRequest,
    last: ChatResponse,
    content: string,
    timing: { queuedMs: number; ttftMs: number; wallMs: number },
  ): ChatResult {
    return {
      host: h.url,
      model: req.model,
      content: content + (last.message?.content ?? ""),
      doneReason: last.done_reason ?? "stop",
      promptEvalCount: last.prompt_eval_count ?? 0,
      evalCount: last.eval_count ?? 0,
      totalDurationMs: (last.total_duration ?? 0) / NS_PER_MS,
      loadDurationMs: (last.load_duration ?? 0) / NS_PER_MS,
      promptEvalDurationMs: (last.prompt_eval_duration ?? 0) / NS_PER_MS,
      evalDurationMs: (last.eval_duration ?? 0) / NS_PER_MS,
      ...timing,
      // The client types created_at as Date, but it arrives as the JSON string.
      createdAt: new Date(last.created_at as unknown as string),
      raw: last,
    };
  }

  /** The whole answer at once (streamed underneath, so the same time-outs apply). */
  async chat(req: ChatRequest): Promise<ChatResult> {
    for await (const chunk of this.chatStream(req)) if (chunk.type === "done") return chunk.result;
    throw new Error("unreachable: chatStream ended without a result");
  }

  // ---------------------------------------------------------------- context window

  /** Context length, default num_ctx, details and parameters of a model (cached 5 minutes). */
  async show(model: string): Promise<ModelInfo> {
    const key = normalizeModel(model);
    const hit = this.showCache.get(key);
    if (hit && this.now() - hit.at < 300_000) return hit.value;
    const h = await this.pickHost(model);
    const res = await this.call(h, (c) => c.client.show({ model }), { model, probe: true });
    const value = parseShow(model, res);
    this.showCache.set(key, { at: this.now(), value });
    return value;
  }

  /**
   * Throws ContextOverflowError when the messages (estimated, see estimateTokens) plus
   * `reserveTokens` for the answer exceed the window the request will get: `numCtx` if given,
   * else the model's num_ctx parameter, never more than the trained context length.
   */
  async assertFits(req: {
    model: string;
    messages: readonly Pick<ChatMessage, "content">[];
    numCtx?: number;
    reserveTokens?: number;
  }): Promise<{ promptTokens: number; contextLength: number }> {
    const info = await this.show(req.model);
    const contextLength = Math.min(req.numCtx ?? info.numCtx ?? info.contextLength, info.contextLength);
    const promptTokens = estimateMessagesTokens(req.messages);
    if (promptTokens + (req.reserveTokens ?? 0) > contextLength)
      throw new ContextOverflowError(promptTokens, contextLength, { model: req.model });
    return { promptTokens, contextLength };
  }

  // ---------------------------------------------------------------- embeddings

  /** Embeds the inputs in batches of `batchSize` (default 32), in order. */
  async embed(req: EmbedRequest): Promise<EmbedResult> {
    const size = Math.max(1, req.batchSize ?? 32);
    const embeddings: number[][] = [];
    for (let i = 0; i < req.input.length; i += size) {
      const batch = req.input.slice(i, i + size);
      const release = await this.limiter.acquire(normalizeModel(req.model), req.signal);
      try {
        const h = await this.pickHost(req.model);
        const res = await this.call(
          h,
          (c) => c.client.embed({ model: req.model, input: batch, keep_alive: req.keepAlive }),
          { model: req.model, timeoutMs: this.cfg.totalMs, signal: req.signal },
        );
        if (!Array.isArray(res.embeddings) || res.embeddings.length !== batch.length)
          throw this.judge(h, new MalformedResponseError(`expected ${batch.length} embeddings`, { host: h.url, model: req.model }));
        embeddings.push(...res.embeddings);
      } finally {
        release();
      }
    }
    return { model: req.model, embeddings, dimensions: embeddings[0]?.length ?? 0 };
  }

  // ---------------------------------------------------------------- inventory

  /** Installed models per host, and merged (name → hosts). */
  async listModels(): Promise<{ hosts: HostModels[]; models: { name: string; hosts: string[] }[] }> {
    const hosts = await Promise.all(
      this.hosts.map(async (h): Promise<HostModels> => {
        try {
          return { host: h.url, ok: true, models: [...(await this.tagsOf(h, true))].sort() };
        } catch (e) {
          return { host: h.url, ok: false, models: [], error: e instanceof Error ? e.message : String(e) };
        }
      }),
    );
    const merged = new Map<string, string[]>();
    for (const h of hosts) for (const m of h.models) merged.set(m, [...(merged.get(m) ?? []), h.host]);
    return { hosts, models: [...merged].map(([name, on]) => ({ name, hosts: on })).sort((a, b) => a.name.localeCompare(b.name)) };
  }

  /** Models loaded in memory now (/api/ps), on every reachable host. */
  async loadedModels(): Promise<LoadedModel[]> {
    const perHost = await Promise.all(
      this.hosts.map((h) =>
        this.call(h, (c) => c.client.ps(), { record: false, probe: true }).then(
          (r) => {
            h.ps = { at: this.now(), value: new Set(r.models.map((m) => normalizeModel(m.name))) };
            return r.models.map(
              (m): LoadedModel => ({
                host: h.url,
                name: m.name,
                expiresAt: new Date(m.expires_at),
                sizeVram: m.size_vram,
                contextLength: (m as { context_length?: number }).context_length,
              }),
            );
          },
          () => [] as LoadedModel[],
        ),
      ),
    );
    return perHost.flat();
  }

  async version(host: string): Promise<{ version: string; simulator: boolean }> {
    const h = this.hosts.find((x) => x.url === host.replace(/\/+$/, "")) ?? { url: host, failures: [], coolingUntil: 0, halfOpen: false, inFlight: 0 };
    const r = (await this.call(h, (c) => c.client.version(), { record: false, probe: true })) as { version: string; simulator?: boolean };
    return { version: r.version, simulator: r.simulator === true };
  }

  /** Every host's version (and whether it is the simulator) and cool-down; never throws. */
  async health(): Promise<HostHealth[]> {
    return Promise.all(
      this.hosts.map(async (h): Promise<HostHealth> => {
        const cooling = h.coolingUntil > this.now() ? new Date(h.coolingUntil) : undefined;
        try {
          const v = await this.version(h.url);
          return { host: h.url, ok: !cooling, version: v.version, simulator: v.simulator, coolingDownUntil: cooling };
        } catch (e) {
          return { host: h.url, ok: false, simulator: false, error: e instanceof Error ? e.message : String(e), coolingDownUntil: cooling };
        }
      }),
    );
  }

  /**
   * Pulls a model onto a host (default the first available), reporting progress. A name the
   * registry does not know fails with OllamaHttpError 404.
   */
  async pull(model: string, onProgress?: (p: PullProgress) => void, opts: { host?: string; signal?: AbortSignal } = {}): Promise<void> {
    const wanted = opts.host?.replace(/\/+$/, "");
    const h = wanted ? this.hosts.find((x) => x.url === wanted) : this.hosts.find((x) => this.available(x));
    if (!h) throw new NoHealthyHostError(this.hosts.map((x) => ({ host: x.url, coolingDownUntil: new Date(x.coolingUntil) })));
    const call = openCall({ host: h.url, fetch: this.fetchImpl, ndjson: true });
    const onAbort = () => call.abort(opts.signal?.reason);
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    let done = false;
    try {
      const stream = await call.client.pull({ model, stream: true });
      for await (const p of stream) {
        if (MALFORMED in p) throw new MalformedResponseError(String((p as Record<string, unknown>)[MALFORMED]), { host: h.url, model });
        onProgress?.({ status: p.status, digest: p.digest, total: p.total, completed: p.completed });
        if (p.status === "success") done = true;
      }
      h.tags = undefined;
      this.showCache.delete(normalizeModel(model));
    } catch (e) {
      if (call.signal.aborted) throw call.signal.reason;
      if (e instanceof OllamaError) throw e;
      const err = e as { name?: string; status_code?: number; message?: string };
      if (!call.responded) throw mapError(e, call, { host: h.url, model });
      // The registry's refusal arrives as an {"error": …} line, which the client throws as a plain Error.
      throw new OllamaHttpError(err.status_code ?? 404, `could not pull ${model}: ${err.message ?? String(e)}`, { host: h.url, model, cause: e });
    } finally {
      opts.signal?.removeEventListener("abort", onAbort);
      if (!done) call.abort();
    }
  }
}

function parseShow(model: string, res: ShowResponse): ModelInfo {
  const raw = res.model_info as unknown;
  const info: Record<string, unknown> = raw instanceof Map ? Object.fromEntries(raw) : ((raw ?? {}) as Record<string, unknown>);
  const arch = typeof info["general.architecture"] === "string" ? info["general.architecture"] : undefined;
  const ctxKey = arch && `${arch}.context_length` in info ? `${arch}.context_length` : Object.keys(info).find((k) => k.endsWith(".context_length"));
  const numCtxMatch = /^\s*num_ctx\s+(\d+)/m.exec(res.parameters ?? "");
  const numCtx = numCtxMatch ? Number(numCtxMatch[1]) : undefined;
  const contextLength = Number(ctxKey ? info[ctxKey] : NaN) || numCtx;
  if (!contextLength) throw new MalformedResponseError(`no context length in /api/show for ${model}`, { model });
  return {
    model,
    contextLength,
    numCtx,
    details: res.details,
    parameters: res.parameters ?? "",
    capabilities: res.capabilities ?? [],
  };
}
