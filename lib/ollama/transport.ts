import { Ollama } from "ollama";
import {
  MalformedResponseError,
  ModelMissingError,
  OllamaError,
  OllamaHttpError,
  OllamaUnreachableError,
  StreamBrokenError,
} from "./errors";

/**
 * One request's link to one host: an official client whose fetch carries this request's
 * abort signal (the client passes none for non-streamed calls and keeps its own controller
 * for streams), remembers whether an answer arrived (network error before it = unreachable,
 * after it = stream broken) and, for streams, checks every NDJSON line.
 *
 * A fresh client per request is cheap (its constructor only stores config) and avoids a
 * leak of the shared one: it keeps every streamed request in `ongoingStreamedRequests` and
 * only removes those that end with `done`, never an aborted or failed one.
 */
export interface Call {
  client: Ollama;
  signal: AbortSignal;
  abort: (reason?: unknown) => void;
  /** True once response headers arrived. */
  readonly responded: boolean;
}

/** Key of the stand-in object that replaces a line that is not JSON. */
export const MALFORMED = "__ollama_pool_malformed_line__";

export function openCall(opts: { host: string; fetch: typeof fetch; ndjson: boolean; headers?: Record<string, string> }): Call {
  const controller = new AbortController();
  const state = { responded: false };
  const wrapped: typeof fetch = async (input, init = {}) => {
    // The client's own signal (streams) feeds ours; cheaper than AbortSignal.any on Node 20.
    const own = init.signal;
    if (own) {
      if (own.aborted) controller.abort(own.reason);
      else own.addEventListener("abort", () => controller.abort(own.reason), { once: true });
    }
    const res = await opts.fetch(input, { ...init, signal: controller.signal });
    state.responded = true;
    if (!opts.ndjson || !res.ok || !res.body) return res;
    return new Response(ndjsonGuard(res.body), { status: res.status, statusText: res.statusText, headers: res.headers });
  };
  return {
    client: new Ollama({ host: opts.host, fetch: wrapped, headers: opts.headers }),
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    get responded() {
      return state.responded;
    },
  };
}

/**
 * The official client logs a line that is not JSON (`console.warn('invalid json')`) and
 * skips it, so a garbled answer would pass unnoticed. This passes whole lines through and
 * turns a bad one into `{[MALFORMED]: line}`, in order, so the reader can fail on it with
 * everything before it already delivered.
 *
 * Cheap on the hot path: a line that starts with `{` and ends with `}` is passed through as
 * the bytes that came in, unparsed; only other lines are decoded and parsed. A line shaped
 * like an object but invalid inside (`{"a":}`) slips through to the client, which skips it.
 * A pull-based wrapper rather than pipeThrough(TransformStream): fewer promise hops a chunk.
 */
function ndjsonGuard(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let carry: Uint8Array | null = null;
  const LF = 10;
  const OPEN = 0x7b;
  const CLOSE = 0x7d;
  const repair = (bytes: Uint8Array) =>
    encoder.encode(
      decoder
        .decode(bytes)
        .split("\n")
        .map((line) => {
          if (!line.trim()) return line;
          try {
            JSON.parse(line);
            return line;
          } catch {
            return JSON.stringify({ [MALFORMED]: line.slice(0, 500) });
          }
        })
        .join("\n"),
    );
  const shapedLines = (data: Uint8Array, end: number) => {
    let start = 0;
    for (let i = data.indexOf(LF); i !== -1 && i <= end; i = data.indexOf(LF, start)) {
      if (i > start && !(data[start] === OPEN && data[i - 1] === CLOSE)) return false;
      start = i + 1;
    }
    return true;
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          if (carry?.length) controller.enqueue(carry[0] === OPEN && carry[carry.length - 1] === CLOSE ? carry : repair(carry));
          carry = null;
          controller.close();
          return;
        }
        let data = value;
        if (carry) {
          data = new Uint8Array(carry.length + value.length);
          data.set(carry);
          data.set(value, carry.length);
        }
        const last = data.lastIndexOf(LF);
        if (last < 0) {
          carry = data;
          continue;
        }
        carry = last + 1 < data.length ? data.slice(last + 1) : null;
        const complete = data.subarray(0, last + 1);
        controller.enqueue(shapedLines(complete, last) ? complete : repair(complete));
        return;
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

function causeText(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const c = err?.cause;
  const parts = [c?.code, c?.message ?? err?.message].filter(Boolean);
  return parts.length ? parts.join(": ") : String(e);
}

/**
 * Maps what the official client throws to the pool's typed errors: `ResponseError` (with
 * `status_code`) for HTTP errors, fetch's TypeError for network failures (before an answer:
 * unreachable; during one: broken stream), plain Errors for `{"error": …}` lines and streams
 * without a final `done`, SyntaxError for a body that is not JSON.
 */
export function mapError(e: unknown, call: Call, ctx: { host: string; model?: string; partial?: string; streaming?: boolean }): unknown {
  if (call.signal.aborted) return call.signal.reason ?? e;
  if (e instanceof OllamaError) return e;
  const opts = { host: ctx.host, model: ctx.model, cause: e };
  const err = e as { name?: string; status_code?: number; message?: string };
  if (err?.name === "ResponseError" && typeof err.status_code === "number") {
    if (err.status_code === 404 && ctx.model) return new ModelMissingError(ctx.model, { host: ctx.host, cause: e });
    return new OllamaHttpError(err.status_code, err.message ?? "", opts);
  }
  if (!call.responded) return new OllamaUnreachableError(`Cannot reach Ollama at ${ctx.host} (${causeText(e)}). Is \`ollama serve\` running?`, opts);
  if (e instanceof SyntaxError) return new MalformedResponseError(err.message ?? "", { ...opts, partial: ctx.partial });
  if (ctx.streaming) return new StreamBrokenError(ctx.partial ?? "", causeText(e), opts);
  return new OllamaUnreachableError(`Lost the connection to ${ctx.host} (${causeText(e)})`, opts);
}
