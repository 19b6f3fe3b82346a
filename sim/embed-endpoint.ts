/**
 * `POST /api/embed` (a string or an array → `embeddings`) and the legacy `POST /api/embeddings`
 * (`prompt` → `embedding`): the stand-in embedding of sim/embed.ts, shortened and normalised
 * again when fewer `dimensions` are asked for, after the time the model would take.
 */
import type http from "node:http";
import { countTokens } from "./answers";
import { simEmbed } from "./embed";
import { Pacer, json, readBody } from "./http-io";
import { parseKeepAlive } from "./keep-alive";
import { respondWithFault } from "./fault-response";
import { resolveModelName, type SimState } from "./state";

export async function embedEndpoint(state: SimState, req: http.IncomingMessage, res: http.ServerResponse, legacy: boolean) {
  const endpoint = legacy ? "POST /api/embeddings" : "POST /api/embed";
  const body = await readBody(req);
  const requested = typeof body.model === "string" ? body.model : "";
  const model = state.lookup(requested);
  const fault = model ? state.nextFault(req, model.name) : undefined;
  state.track(res, endpoint, model?.name ?? (resolveModelName(requested) || undefined), Boolean(model), fault);
  if (!model) return json(res, 404, { error: `model "${requested}" not found, try pulling it first` });
  const pacer = new Pacer(res);
  if (await respondWithFault(req, res, fault, requested, pacer)) return;

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
  const loadMs = state.isLoaded(model.name) ? 0 : model.loadMs;
  state.keepLoaded(model.name, parseKeepAlive(body.keep_alive));
  const tokens = (inputs as string[]).reduce((n, t) => n + countTokens(t), 0);
  const evalMs = (tokens / model.tokensPerSec) * 1000;
  await pacer.sleep((loadMs + evalMs) * state.timeScale + (fault?.kind === "slow" ? fault.n : 0));
  if (pacer.closed) return;
  if (fault?.kind === "cut") return void req.socket.destroy();
  const out = legacy
    ? { embedding: vectors[0] }
    : { model: requested, embeddings: vectors, total_duration: Math.round((loadMs + evalMs + 1) * 1e6), load_duration: Math.round(loadMs * 1e6), prompt_eval_count: tokens };
  if (fault?.kind === "malformed") {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    return void res.end(JSON.stringify(out).slice(0, 30));
  }
  json(res, 200, out);
}
