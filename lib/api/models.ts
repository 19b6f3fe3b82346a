import "server-only";
import { createHash } from "node:crypto";
import { getOllamaPool, isOllamaError } from "@/lib/ollama";
import { sameModel } from "@/lib/domain";
import { currentRoster } from "@/lib/roster/current";
import { identityFromRequest } from "./keys";
import { ApiError, ollamaErrorResponse } from "./errors";
import { ELITE_MODEL, readJson } from "./run";

/**
 * What editors ask about models before they chat (Continue, Zed, aider, Open WebUI):
 * `POST /api/show` and `GET /api/ps`, as Ollama answers them. `elite` is described as the
 * orchestrator presents itself: the smallest context window among the models it may route to
 * (a client never sends more than every one of them holds), completion, and fill-in-the-middle
 * (`insert`, and a template with `.Suffix`, which is how Continue decides) and `tools` (which
 * Zed reads) when a roster model can do it: requests that need them are routed to such a
 * model. A roster tag is described as its Ollama host describes it.
 */
const digest = (name: string) => createHash("sha256").update(name).digest("hex");
const tagged = (m: string) => (m.includes(":") ? m : `${m}:latest`);

function notFound(name: string): ApiError {
  return new ApiError("not_found:api", `model '${name}' not found`, { param: "model", apiCode: "model_not_found" });
}

/** `POST /api/show` `{"model": "elite"}` (or `name`, as older clients send). */
export async function ollamaShow(request: Request): Promise<Response> {
  try {
    await identityFromRequest(request);
    const body = (await readJson(request)) as { model?: unknown; name?: unknown } | null;
    const name = typeof body?.model === "string" ? body.model : typeof body?.name === "string" ? body.name : "";
    if (!name.trim()) throw new ApiError("bad_request:api", "model: say which model to show", { param: "model" });
    const roster = await currentRoster();
    const pool = getOllamaPool();
    const chatModels = roster.routed.map((r) => r.model);
    if (sameModel(name, ELITE_MODEL)) {
      const infos = (await Promise.all(chatModels.map((m) => pool.show(m).catch(() => null)))).filter((i) => i !== null);
      if (infos.length === 0) throw new ApiError("unavailable:ollama", "No model of the roster answers /api/show: is Ollama running?");
      const window = Math.min(...infos.map((i) => Math.min(i.numCtx ?? i.contextLength, i.contextLength)));
      const fills = infos.some((i) => i.capabilities.includes("insert"));
      const calls = infos.some((i) => i.capabilities.includes("tools"));
      return Response.json({
        license: "",
        modelfile: `# elite: routes each request among ${chatModels.join(", ")}`,
        parameters: `num_ctx ${window}`,
        template: fills ? "{{ if .Suffix }}{{ .Prompt }}{{ .Suffix }}{{ else }}{{ .Prompt }}{{ end }}" : "{{ .Prompt }}",
        details: { parent_model: "", format: "gguf", family: "elite", families: ["elite"], parameter_size: "", quantization_level: "" },
        model_info: { "general.architecture": "elite", "elite.context_length": window, "elite.routes_to": chatModels.map(tagged) },
        capabilities: ["completion", ...(fills ? ["insert"] : []), ...(calls ? ["tools"] : [])],
        modified_at: new Date().toISOString(),
      });
    }
    const tag = [...chatModels, roster.embedding].find((m) => sameModel(m, name));
    if (!tag) throw notFound(name);
    const info = await pool.show(tag).catch((e) => {
      throw isOllamaError(e) && e.code === "model_missing" ? notFound(name) : e;
    });
    const family = info.details?.family || "llama";
    return Response.json({
      license: "",
      modelfile: "",
      parameters: info.parameters,
      template: info.template || "{{ .Prompt }}",
      details: info.details,
      model_info: { "general.architecture": family, [`${family}.context_length`]: info.contextLength },
      capabilities: info.capabilities.length ? info.capabilities : tag === roster.embedding ? ["embedding"] : ["completion"],
      modified_at: new Date().toISOString(),
    });
  } catch (e) {
    return ollamaErrorResponse(e);
  }
}

/** `GET /api/ps`: the roster's models loaded on the Ollama hosts now. */
export async function ollamaPs(request: Request): Promise<Response> {
  try {
    await identityFromRequest(request);
    const loaded = await getOllamaPool().loadedModels();
    return Response.json(
      {
        models: loaded.map((m) => ({
          name: m.name,
          model: m.name,
          size: m.sizeVram ?? 0,
          digest: digest(m.name),
          details: { parent_model: "", format: "gguf", family: "", families: [], parameter_size: "", quantization_level: "" },
          expires_at: m.expiresAt.toISOString(),
          size_vram: m.sizeVram ?? 0,
          ...(m.contextLength ? { context_length: m.contextLength } : {}),
        })),
      },
      { headers: { "cache-control": "no-store" } },
    );
  } catch (e) {
    return ollamaErrorResponse(e);
  }
}
