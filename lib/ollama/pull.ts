import { MalformedResponseError, OllamaError, OllamaHttpError } from "./errors";
import type { HostState } from "./hosts";
import { MALFORMED, mapError, openCall } from "./transport";
import type { PullProgress } from "./types";

/** `ollama pull` of a model onto one host, reporting progress; the host's inventory is refreshed after. */
export async function pullModel(h: HostState, fetchImpl: typeof fetch, model: string, onProgress?: (p: PullProgress) => void, signal?: AbortSignal): Promise<void> {
  const call = openCall({ host: h.url, fetch: fetchImpl, ndjson: true });
  const onAbort = () => call.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  let done = false;
  try {
    const stream = await call.client.pull({ model, stream: true });
    for await (const p of stream) {
      if (MALFORMED in p) throw new MalformedResponseError(String((p as Record<string, unknown>)[MALFORMED]), { host: h.url, model });
      onProgress?.({ status: p.status, digest: p.digest, total: p.total, completed: p.completed });
      if (p.status === "success") done = true;
    }
    h.tags = undefined;
  } catch (e) {
    if (call.signal.aborted) throw call.signal.reason;
    if (e instanceof OllamaError) throw e;
    const err = e as { name?: string; status_code?: number; message?: string };
    if (!call.responded) throw mapError(e, call, { host: h.url, model });
    // The registry's refusal arrives as an {"error": …} line, which the client throws as a plain Error.
    throw new OllamaHttpError(err.status_code ?? 404, `could not pull ${model}: ${err.message ?? String(e)}`, { host: h.url, model, cause: e });
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!done) call.abort();
  }
}
