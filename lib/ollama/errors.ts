/**
 * Typed failures of the Ollama layer. Each has a `code` the orchestrator switches on (fall
 * back to another model, retry elsewhere, tell the operator to pull a model…), and the host
 * and model involved when known.
 */
export type OllamaErrorCode =
  | "unreachable"
  | "timeout"
  | "model_missing"
  | "http"
  | "stream_broken"
  | "malformed"
  | "context_overflow"
  | "no_healthy_host";

const BRAND = Symbol.for("elite.ollama-error");

export abstract class OllamaError extends Error {
  abstract readonly code: OllamaErrorCode;
  host?: string;
  model?: string;
  constructor(message: string, opts: { host?: string; model?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    (this as unknown as Record<symbol, boolean>)[BRAND] = true;
    this.name = new.target.name;
    this.host = opts.host;
    this.model = opts.model;
  }
}

export class OllamaUnreachableError extends OllamaError {
  readonly code = "unreachable";
}

export class OllamaTimeoutError extends OllamaError {
  readonly code = "timeout";
  constructor(
    readonly phase: "queue" | "first_token" | "total",
    readonly timeoutMs: number,
    opts: { host?: string; model?: string; partial?: string } = {},
  ) {
    const what = { queue: "waiting for a free slot", first_token: "waiting for the first token", total: "waiting for the whole answer" }[phase];
    super(`${opts.model ?? "Ollama"} timed out after ${timeoutMs} ms ${what}${opts.host ? ` on ${opts.host}` : ""}`, opts);
    this.partial = opts.partial ?? "";
  }
  /** What had arrived before the time-out. */
  readonly partial: string;
}

export class ModelMissingError extends OllamaError {
  readonly code = "model_missing";
  /** The command that installs the model. */
  readonly pullCommand: string;
  constructor(model: string, opts: { host?: string; cause?: unknown } = {}) {
    const cmd = `ollama pull ${model}`;
    super(`Model "${model}" is not installed${opts.host ? ` on ${opts.host}` : " on any configured host"}. Install it with: ${cmd}`, {
      ...opts,
      model,
    });
    this.pullCommand = cmd;
  }
}

export class OllamaHttpError extends OllamaError {
  readonly code = "http";
  constructor(
    readonly status: number,
    message: string,
    opts: { host?: string; model?: string; cause?: unknown } = {},
  ) {
    super(`Ollama answered HTTP ${status}: ${message}`, opts);
  }
}

export class StreamBrokenError extends OllamaError {
  readonly code = "stream_broken";
  constructor(
    /** The content received before the stream broke. */
    readonly partial: string,
    reason: string,
    opts: { host?: string; model?: string; cause?: unknown } = {},
  ) {
    super(`The answer stream broke after ${partial.length} characters: ${reason}`, opts);
  }
}

export class MalformedResponseError extends OllamaError {
  readonly code = "malformed";
  constructor(
    readonly excerpt: string,
    opts: { host?: string; model?: string; partial?: string; cause?: unknown } = {},
  ) {
    super(`Ollama sent a response that is not valid JSON: ${JSON.stringify(excerpt.slice(0, 120))}`, opts);
    this.partial = opts.partial ?? "";
  }
  readonly partial: string;
}

export class ContextOverflowError extends OllamaError {
  readonly code = "context_overflow";
  constructor(
    readonly promptTokens: number,
    readonly contextLength: number,
    opts: { model?: string } = {},
  ) {
    super(
      `The prompt (about ${promptTokens} tokens) does not fit ${opts.model ?? "the model"}'s context window of ${contextLength} tokens`,
      opts,
    );
  }
}

export class NoHealthyHostError extends OllamaError {
  readonly code = "no_healthy_host";
  constructor(
    readonly hosts: { host: string; coolingDownUntil?: Date; reason?: string }[],
    opts: { model?: string } = {},
  ) {
    super(
      `No healthy Ollama host${opts.model ? ` for ${opts.model}` : ""}: ` +
        hosts.map((h) => `${h.host} ${h.coolingDownUntil ? `cooling down until ${h.coolingDownUntil.toISOString()}` : (h.reason ?? "unavailable")}`).join("; "),
      opts,
    );
  }
}

/** Failures that say something about the host (as opposed to the request or the model). */
export function isHostFailure(e: unknown): boolean {
  if (!(e instanceof OllamaError)) return false;
  if (e instanceof OllamaHttpError) return e.status >= 500;
  if (e instanceof OllamaTimeoutError) return e.phase !== "queue";
  return e.code === "unreachable" || e.code === "stream_broken" || e.code === "malformed";
}

/**
 * `instanceof` across module copies fails: Next bundles routes, actions and instrumentation
 * separately, and the pool on globalThis may come from another copy than the caller's.
 * The brand is a registered symbol, the same in every copy.
 */
export function isOllamaError(e: unknown): e is OllamaError {
  return typeof e === "object" && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}
