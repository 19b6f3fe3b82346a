import type { AbortableAsyncIterator, ChatResponse } from "ollama";
import {
  ContextOverflowError,
  NoHealthyHostError,
  OllamaTimeoutError,
  OllamaUnreachableError,
  MalformedResponseError,
} from "./errors";
import { normalizeModel } from "@/lib/domain/model-tag";
import { fitsContext } from "@/lib/domain/context-window";
import { KeyedLimiter } from "./limiter";
import { ChunkQueue } from "./chunk-queue";
import { OllamaHosts, type Cached, type HostSettings, type HostState } from "./hosts";
import { parseShow } from "./model-info";
import { pullModel } from "./pull";
import { chatResult } from "./chat-result";
import { estimateMessagesTokens } from "./tokens";
import { MALFORMED, mapError, openCall, type Call } from "./transport";
import type {
  ChatChunk,
  ChatMessage,
  ChatRequest,
  ChatResult,
  EmbedRequest,
  EmbedResult,
  GenerateRequest,
  ToolCall,
  ModelInfo,
  PoolOptions,
  PullProgress,
} from "./types";
import { httpFetch } from "./http-fetch";


/** What every streamed request carries (chat and generate alike). */
type StreamRequest = Pick<ChatRequest, "model" | "signal" | "headers" | "timeouts" | "slotWaitMs">;
/** Starts the request on a host's client. */
type StartStream = (client: Call["client"]) => Promise<AbortableAsyncIterator<ChatResponse>>;
/** A chunk's text (chat: `message`; generate: `response`), and the functions it called. */
type TextOf = (chunk: ChatResponse) => { content?: string; thinking?: string; tool_calls?: ToolCall[] } | undefined;

/** A request on its way: the host, the call, the client's stream and how to end it. */
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
/** How long a model may take to its first token and to its last, unless it has shown it needs less (lib/learning/latency-budget.ts). */
export const DEFAULT_TIMEOUTS = { firstTokenMs: 60_000, totalMs: 300_000 } as const;

export class OllamaPool {
  private readonly hosts: OllamaHosts;
  private readonly limiter: KeyedLimiter;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly cfg: HostSettings & { firstTokenMs: number; totalMs: number };
  private readonly showCache = new Map<string, Cached<ModelInfo>>();
  /** /api/show requests under way, by model (see show) */
  private readonly showLoading = new Map<string, Promise<ModelInfo>>();

  constructor(opts: PoolOptions) {
    if (!opts.hosts.length) throw new Error("OllamaPool needs at least one host");
    this.limiter = new KeyedLimiter(opts.limits?.perModelConcurrency ?? 2, opts.limits?.queueTimeoutMs ?? 60_000);
    this.fetchImpl = opts.fetch ?? httpFetch;
    this.now = opts.now ?? Date.now;
    this.cfg = {
      firstTokenMs: opts.timeouts?.firstTokenMs ?? DEFAULT_TIMEOUTS.firstTokenMs,
      totalMs: opts.timeouts?.totalMs ?? DEFAULT_TIMEOUTS.totalMs,
      metadataMs: opts.timeouts?.metadataMs ?? 5_000,
      failuresPerMinute: opts.cooldown?.failuresPerMinute ?? 3,
      cooldownMs: opts.cooldown?.cooldownMs ?? 30_000,
      tagsMs: opts.cache?.tagsMs ?? 30_000,
      psMs: opts.cache?.psMs ?? 5_000,
    };
    this.hosts = new OllamaHosts(opts.hosts, this.cfg, this.fetchImpl, this.now);
  }

  get hostUrls(): string[] {
    return this.hosts.list.map((h) => h.url);
  }

  // ---------------------------------------------------------------- chat

  /**
   * Streams an answer: `delta` chunks, then one `done` chunk with the stats. Waits for a free
   * slot for the model first. Breaking out of the loop or aborting `signal` closes the
   * connection. A host that cannot be reached before anything streamed is skipped for the next.
   */
  chatStream(req: ChatRequest): AsyncGenerator<ChatChunk, void, undefined> {
    return this.streamFrom(
      req,
      (client) =>
        client.chat({ model: req.model, messages: req.messages, options: req.options, format: req.format, keep_alive: req.keepAlive, think: req.think, tools: req.tools, stream: true }),
      (chunk) => chunk.message,
    );
  }

  /**
   * Streams a completion from /api/generate (a prompt, and for fill-in-the-middle a `suffix`;
   * `raw` skips the model's template), in the same chunks as chatStream, with the same slots,
   * time-outs and host handling.
   */
  generateStream(req: GenerateRequest): AsyncGenerator<ChatChunk, void, undefined> {
    return this.streamFrom(
      req,
      (client) =>
        client.generate({
          model: req.model, prompt: req.prompt, suffix: req.suffix, system: req.system, raw: req.raw,
          options: req.options, keep_alive: req.keepAlive, stream: true,
        }) as unknown as Promise<AbortableAsyncIterator<ChatResponse>>,
      (chunk) => ({ content: (chunk as unknown as { response?: string }).response ?? "" }),
    );
  }

  private async *streamFrom(req: StreamRequest, start: StartStream, textOf: TextOf): AsyncGenerator<ChatChunk, void, undefined> {
    const queuedAt = performance.now();
    const release = await this.limiter.acquire(normalizeModel(req.model), req.signal, { maxWaitMs: req.slotWaitMs });
    let attempt: Attempt | undefined;
    // Set once: by the reader when the model has finished or failed, or by the consumer leaving early.
    let closed = false;
    const closeOnce = (finished: boolean) => {
      if (closed) return;
      closed = true;
      attempt?.close(finished);
      release();
    };
    const answer = { partial: "" };
    try {
      const queuedMs = performance.now() - queuedAt;
      attempt = await this.openStream(req, () => answer.partial, start);
      const queue = new ChunkQueue();
      // The reader runs ahead of the consumer: the slot goes back as soon as the model is done.
      void this.readStream({ attempt, req, textOf, queuedMs, queue, answer, abandoned: () => closed, close: closeOnce });
      for (;;) {
        const chunk = await queue.take();
        if (!chunk) return;
        yield chunk;
      }
    } finally {
      // Early break, error or abort: close() also closes the connection instead of letting it run on.
      closeOnce(false);
    }
  }

  /** Reads one answer's stream into `queue`, then closes the attempt and frees the slot (`close`). */
  private async readStream({
    attempt,
    req,
    textOf,
    queuedMs,
    queue,
    answer,
    abandoned,
    close,
  }: {
    attempt: Attempt;
    req: StreamRequest;
    textOf: TextOf;
    queuedMs: number;
    queue: ChunkQueue;
    /** the text so far, for time-out messages */
    answer: { partial: string };
    /** true once the consumer has left and closed the call */
    abandoned: () => boolean;
    close: (finished: boolean) => void;
  }): Promise<void> {
    const { h, call, stream, t0 } = attempt;
    let finished = false;
    let ttftMs = -1;
    const toolCalls: ToolCall[] = [];
    try {
      for await (const chunk of stream) {
        // Aborted (or timed out) while the client still had chunks buffered: stop there.
        call.signal.throwIfAborted();
        if (MALFORMED in chunk)
          throw new MalformedResponseError(String((chunk as Record<string, unknown>)[MALFORMED]), { host: h.url, model: req.model, partial: answer.partial });
        if (ttftMs < 0) {
          attempt.firstChunk();
          ttftMs = performance.now() - t0;
        }
        const text = textOf(chunk);
        const calls = text?.tool_calls?.length ? text.tool_calls : undefined;
        if (calls) toolCalls.push(...calls);
        if (chunk.done) {
          finished = true;
          this.hosts.recordSuccess(h);
          h.ps?.value.add(normalizeModel(req.model));
          if (calls) queue.push({ type: "delta", content: "", toolCalls: calls });
          queue.push({ type: "done", result: chatResult(h, req, chunk, answer.partial + (text?.content ?? ""), { queuedMs, ttftMs, wallMs: performance.now() - t0 }, toolCalls) });
          break;
        }
        const content = text?.content ?? "";
        answer.partial += content;
        queue.push({ type: "delta", content, ...(text?.thinking ? { thinking: text.thinking } : {}), ...(calls ? { toolCalls: calls } : {}) });
      }
      if (!finished) call.signal.throwIfAborted();
      queue.end();
    } catch (e) {
      // The consumer left first and closed the call: nothing to report, nothing to judge.
      if (abandoned()) return queue.end();
      queue.fail(this.hosts.judge(h, mapError(e, call, { host: h.url, model: req.model, partial: answer.partial, streaming: true })), call.signal.aborted);
    } finally {
      close(finished);
    }
  }

  /**
   * Sends the request to a host and waits for the response headers, with the time-outs
   * armed. A host that cannot be reached is skipped for the next one that has the model.
   */
  private async openStream(req: StreamRequest, partial: () => string, start: StartStream): Promise<Attempt> {
    const firstTokenMs = Math.min(this.cfg.firstTokenMs, req.timeouts?.firstTokenMs ?? Infinity);
    const totalMs = Math.min(this.cfg.totalMs, req.timeouts?.totalMs ?? Infinity);
    const tried = new Set<string>();
    let unreachable: unknown;
    for (;;) {
      let h: HostState;
      try {
        h = await this.hosts.pickHost(req.model, tried);
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
        stream = await start(call.client);
        const firstChunk = () => {
          clearTimeout(firstTimer);
          firstTimer = undefined;
        };
        return { h, call, stream, t0, firstChunk, close };
      } catch (e) {
        const err = this.hosts.judge(h, mapError(e, call, { host: h.url, model: req.model, partial: "", streaming: true }));
        close(false);
        if (!(err instanceof OllamaUnreachableError) || tried.size >= this.hosts.list.length) throw err;
        unreachable ??= err;
      }
    }
  }

  /** The whole answer at once (streamed underneath, so the same time-outs apply). */
  async chat(req: ChatRequest): Promise<ChatResult> {
    for await (const chunk of this.chatStream(req)) if (chunk.type === "done") return chunk.result;
    throw new Error("unreachable: chatStream ended without a result");
  }

  // ---------------------------------------------------------------- context window

  /**
   * Context length, default num_ctx, details and parameters of a model (cached 5 minutes).
   * One request per model at a time: a burst of requests (a cold start, the cache's expiry)
   * waits on the same /api/show instead of sending one each, which, by the hundred, timed
   * out on a busy host and sent it into its cool-down.
   */
  show(model: string): Promise<ModelInfo> {
    const key = normalizeModel(model);
    const hit = this.showCache.get(key);
    if (hit && this.now() - hit.at < 300_000) return Promise.resolve(hit.value);
    let loading = this.showLoading.get(key);
    if (!loading) {
      loading = (async () => {
        const h = await this.hosts.pickHost(model);
        const res = await this.hosts.call(h, (c) => c.client.show({ model }), { model, probe: true });
        const value = parseShow(model, res);
        this.showCache.set(key, { at: this.now(), value });
        return value;
      })().finally(() => this.showLoading.delete(key));
      this.showLoading.set(key, loading);
    }
    return loading;
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
    if (!fitsContext(promptTokens, contextLength, req.reserveTokens ?? 0))
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
        const h = await this.hosts.pickHost(req.model);
        const res = await this.hosts.call(
          h,
          (c) => c.client.embed({ model: req.model, input: batch, keep_alive: req.keepAlive }),
          { model: req.model, timeoutMs: this.cfg.totalMs, signal: req.signal },
        );
        if (!Array.isArray(res.embeddings) || res.embeddings.length !== batch.length)
          throw this.hosts.judge(h, new MalformedResponseError(`expected ${batch.length} embeddings`, { host: h.url, model: req.model }));
        embeddings.push(...res.embeddings);
      } finally {
        release();
      }
    }
    return { model: req.model, embeddings, dimensions: embeddings[0]?.length ?? 0 };
  }

  // ---------------------------------------------------------------- inventory and health (per host)

  /** Installed models per host, and merged (name → hosts). */
  listModels() {
    return this.hosts.listModels();
  }

  /** Models loaded in memory now (/api/ps), on every reachable host. */
  loadedModels() {
    return this.hosts.loadedModels();
  }

  version(host: string) {
    return this.hosts.version(host);
  }

  /** Every host's version (and whether it is the simulator) and cool-down; never throws. */
  health() {
    return this.hosts.health();
  }

  /**
   * Pulls a model onto a host (default the first available), reporting progress. A name the
   * registry does not know fails with OllamaHttpError 404.
   */
  async pull(model: string, onProgress?: (p: PullProgress) => void, opts: { host?: string; signal?: AbortSignal } = {}): Promise<void> {
    const wanted = opts.host?.replace(/\/+$/, "");
    const h = wanted ? this.hosts.list.find((x) => x.url === wanted) : this.hosts.list.find((x) => this.hosts.available(x));
    if (!h) throw new NoHealthyHostError(this.hosts.list.map((x) => ({ host: x.url, coolingDownUntil: new Date(x.coolingUntil) })));
    await pullModel(h, this.fetchImpl, model, onProgress, opts.signal);
    this.showCache.delete(normalizeModel(model));
  }
}
