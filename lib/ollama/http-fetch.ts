import http from "node:http";
import https from "node:https";

/**
 * The fetch the official `ollama` client is given for calls to Ollama: the same contract
 * (a web Response whose body streams as it arrives, the signal aborting request and body,
 * a TypeError with the socket's error as `cause` when the host cannot be reached), carried
 * by node:http over kept-alive connections instead of the runtime's fetch (undici's).
 * undici's fetch runs the whole WHATWG fetch algorithm for every call; on a 2-core machine
 * that was about half a millisecond of each editor completion's first token (measured with a
 * bare proxy in front of the simulator: 1.1–1.2 ms added with fetch, 0.5–0.7 ms with node:http).
 *
 * Bodies other than a string or bytes (none of the client's calls to Ollama send them) and
 * requests the client builds as Request objects go to the runtime's fetch unchanged.
 */
const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: "lifo" }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: "lifo" }),
};

type Body = string | Uint8Array | ArrayBuffer | null | undefined;

function isPlainBody(body: unknown): body is Body {
  return body == null || typeof body === "string" || body instanceof Uint8Array || body instanceof ArrayBuffer;
}

function bytesOf(body: Body): Buffer | undefined {
  if (body == null) return undefined;
  if (typeof body === "string") return Buffer.from(body);
  return body instanceof ArrayBuffer ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function headerRecord(h: HeadersInit | undefined): Record<string, string> {
  if (!h) return {};
  if (h instanceof Headers) return Object.fromEntries(h.entries());
  if (Array.isArray(h)) return Object.fromEntries(h);
  return { ...(h as Record<string, string>) };
}

function responseHeaders(raw: http.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const one of v) out.append(k, one);
    else out.set(k, v);
  }
  return out;
}

/** A fetch failure as undici reports one: TypeError("fetch failed") with the cause attached. */
function fetchFailed(cause: unknown): TypeError {
  return new TypeError("fetch failed", { cause });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/** The body of a Node response as a web stream, paused while the reader is behind. */
function webBody(res: http.IncomingMessage, signal: AbortSignal | null | undefined): ReadableStream<Uint8Array> {
  let onAbort: (() => void) | null = null;
  let open = true;
  const finish = (fn: () => void) => {
    if (!open) return;
    open = false;
    if (onAbort) signal?.removeEventListener("abort", onAbort);
    fn();
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        res.on("data", (chunk: Buffer) => {
          if (!open) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 1) <= 0) res.pause();
        });
        res.on("end", () => finish(() => controller.close()));
        // A connection that closes before the body's end is a broken stream, as with fetch.
        res.on("close", () => finish(() => controller.error(fetchFailed(new Error("the connection closed before the body ended")))));
        res.on("error", (e) => finish(() => controller.error(fetchFailed(e))));
        if (signal) {
          onAbort = () => {
            finish(() => controller.error(abortReason(signal)));
            res.destroy();
          };
          signal.addEventListener("abort", onAbort, { once: true });
        }
      },
      pull() {
        res.resume();
      },
      cancel() {
        finish(() => res.destroy());
      },
    },
    { highWaterMark: 16 },
  );
}

export const httpFetch: typeof fetch = (input, init = {}) => {
  const url = typeof input === "string" ? new URL(input) : input instanceof URL ? input : null;
  const agent = url ? agents[url.protocol as keyof typeof agents] : undefined;
  if (!url || !agent || !isPlainBody(init.body)) return fetch(input, init);
  const signal = init.signal;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  const body = bytesOf(init.body);
  const headers = headerRecord(init.headers);
  if (body) headers["content-length"] = String(body.byteLength);

  return new Promise<Response>((resolve, reject) => {
    const transport = url.protocol === "https:" ? https : http;
    let settled = false;
    const send = (retry: boolean) => {
      const req = transport.request(url, { method: init.method ?? "GET", headers, agent });
      const onAbort = () => {
        settled = true;
        reject(abortReason(signal!));
        req.destroy();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      req.on("error", (e: NodeJS.ErrnoException) => {
        signal?.removeEventListener("abort", onAbort);
        if (settled) return;
        // A kept-alive connection the server closed while idle, just as the request went out on
        // it: the server never saw the request, so it is sent once more on a new connection
        // (the pattern Node's documentation gives for req.reusedSocket).
        if (retry && req.reusedSocket && (e.code === "ECONNRESET" || e.code === "EPIPE")) return send(false);
        settled = true;
        reject(fetchFailed(e));
      });
      req.on("response", (res) => {
        signal?.removeEventListener("abort", onAbort);
        settled = true;
        const status = res.statusCode ?? 500;
        const nullBody = status === 204 || status === 304 || init.method === "HEAD";
        if (nullBody) res.resume();
        resolve(new Response(nullBody ? null : webBody(res, signal), { status, statusText: res.statusMessage, headers: responseHeaders(res.headers) }));
      });
      req.end(body);
    };
    send(true);
  });
};
