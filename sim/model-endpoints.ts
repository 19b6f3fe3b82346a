/**
 * The endpoints about models rather than answers: `/api/tags` (installed), `/api/ps` (loaded,
 * until when), `POST /api/show` and `POST /api/pull` (a progress stream, then the model is
 * installed).
 */
import type http from "node:http";
import { Pacer, json, readBody } from "./http-io";
import { respondWithFault } from "./fault-response";
import { modelEntry, showBody } from "./model-listing";
import { resolveModelName, type SimState } from "./state";

const NOT_FOUND_TO_PULL = "pull model manifest: file does not exist";

export function tags(state: SimState, res: http.ServerResponse) {
  json(res, 200, { models: [...state.installed].map((n) => modelEntry(state.catalogue.get(n)!)) });
}

export function running(state: SimState, res: http.ServerResponse) {
  const now = Date.now();
  const models = [...state.loaded]
    .filter(([name, until]) => until > now && state.installed.has(name))
    .map(([name, until]) => {
      const m = state.catalogue.get(name)!;
      return { ...modelEntry(m), expires_at: new Date(until).toISOString(), size_vram: m.sizeBytes, context_length: m.numCtx };
    });
  json(res, 200, { models });
}

/** The name a body asks about (`model`, or the older `name`). */
const requestedName = (body: Record<string, unknown>) => (typeof body.model === "string" ? body.model : typeof body.name === "string" ? body.name : "");

export async function show(state: SimState, req: http.IncomingMessage, res: http.ServerResponse) {
  const body = await readBody(req);
  const requested = requestedName(body);
  const model = state.lookup(requested);
  const fault = model ? state.nextFault(req, model.name) : undefined;
  state.track(res, "POST /api/show", model?.name, false, fault);
  if (!model) return json(res, 404, { error: `model '${requested}' not found` });
  // Only the faults that answer before any work apply to a model's description.
  if (await respondWithFault(req, res, fault, requested, new Pacer(res))) return;
  json(res, 200, showBody(model));
}

export async function pull(state: SimState, req: http.IncomingMessage, res: http.ServerResponse) {
  const body = await readBody(req);
  const name = resolveModelName(requestedName(body));
  const model = state.catalogue.get(name);
  state.track(res, "POST /api/pull", model ? name : undefined, false);
  const pacer = new Pacer(res);
  if (body.stream === false) {
    if (!model) return json(res, 500, { error: NOT_FOUND_TO_PULL });
    await pacer.sleep(200 * state.timeScale);
    state.installed.add(name);
    return json(res, 200, { status: "success" });
  }
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  const line = (o: unknown) => res.write(JSON.stringify(o) + "\n");
  line({ status: "pulling manifest" });
  if (!model) return void res.end(JSON.stringify({ error: NOT_FOUND_TO_PULL }) + "\n");
  const total = model.sizeBytes;
  const digest = `sha256:${model.digest}`;
  for (let step = 0; step <= 4; step++) {
    await pacer.sleep(50 * state.timeScale);
    if (pacer.closed) return;
    line({ status: `pulling ${model.digest.slice(0, 12)}`, digest, total, completed: Math.round((total * step) / 4) });
  }
  line({ status: "verifying sha256 digest" });
  line({ status: "writing manifest" });
  state.installed.add(name);
  res.end(JSON.stringify({ status: "success" }) + "\n");
}
