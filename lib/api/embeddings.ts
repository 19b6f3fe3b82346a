import "server-only";
import { z } from "zod";
import { getOllamaPool } from "@/lib/ollama";
import { sameModel } from "@/lib/domain";
import { currentRoster } from "@/lib/roster/current";
import { identityFromRequest } from "./keys";
import { ApiError, ollamaErrorResponse, openaiErrorResponse } from "./errors";
import { ELITE_MODEL, readJson } from "./run";
import { describeIssue } from "./schemas";

/**
 * Embeddings for editors' codebase indexing (Continue, Open WebUI, the OpenAI SDKs), through
 * the roster's embedding model: `POST /api/embed`, the legacy `POST /api/embeddings`, and
 * `POST /v1/embeddings` (float or base64, as the OpenAI SDKs ask by default). The model may
 * be `elite` or the embedding model's tag. Texts go to the model as sent.
 */
const MAX_INPUTS = 512;
const text = z.string().max(100_000, "each text: 100,000 characters at most");
const inputSchema = z.union([text, z.array(text).min(1, "at least one text").max(MAX_INPUTS, `at most ${MAX_INPUTS} texts`)], "expected a text or an array of texts");
const ollamaSchema = z.object({ model: z.string().min(1), input: inputSchema, truncate: z.boolean().optional(), dimensions: z.number().int().positive().optional(), keep_alive: z.unknown().optional(), options: z.unknown().optional() });
const legacySchema = z.object({ model: z.string().min(1), prompt: text, keep_alive: z.unknown().optional(), options: z.unknown().optional() });
const openaiSchema = z.object({
  model: z.string().min(1),
  input: inputSchema,
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
});

async function embeddingModel(name: string): Promise<string> {
  const roster = await currentRoster();
  if (sameModel(name, ELITE_MODEL) || sameModel(name, roster.embedding)) return roster.embedding;
  throw new ApiError("bad_request:api", `model: embeddings come from "${ELITE_MODEL}" or "${roster.embedding}", not "${name}"`, { param: "model" });
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error);
    throw new ApiError("bad_request:api", message, { param: field });
  }
  return parsed.data;
}

/** Matryoshka-style shortening (nomic v1.5 supports it): the first `dims` components, unit length again. */
function shorten(v: number[], dims?: number): number[] {
  if (!dims || dims >= v.length) return v;
  const s = v.slice(0, dims);
  const n = Math.hypot(...s) || 1;
  return s.map((x) => x / n);
}

async function embed(model: string, inputs: string[], dims?: number) {
  const t0 = performance.now();
  const res = await getOllamaPool().embed({ model, input: inputs });
  const tokens = inputs.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
  return { vectors: res.embeddings.map((v) => shorten(v, dims)), tokens, ns: Math.round((performance.now() - t0) * 1e6) };
}

/** `POST /api/embed` `{"model", "input": string | string[]}` → `{"model", "embeddings"}`. */
export async function ollamaEmbed(request: Request): Promise<Response> {
  try {
    await identityFromRequest(request);
    const b = parse(ollamaSchema, await readJson(request));
    const model = await embeddingModel(b.model);
    const inputs = typeof b.input === "string" ? [b.input] : b.input;
    const r = await embed(model, inputs, b.dimensions);
    return Response.json({ model: b.model, embeddings: r.vectors, total_duration: r.ns, load_duration: 0, prompt_eval_count: r.tokens });
  } catch (e) {
    return ollamaErrorResponse(e);
  }
}

/** `POST /api/embeddings` (legacy) `{"model", "prompt"}` → `{"embedding"}`. */
export async function ollamaEmbeddingsLegacy(request: Request): Promise<Response> {
  try {
    await identityFromRequest(request);
    const b = parse(legacySchema, await readJson(request));
    const r = await embed(await embeddingModel(b.model), [b.prompt]);
    return Response.json({ embedding: r.vectors[0] });
  } catch (e) {
    return ollamaErrorResponse(e);
  }
}

/** `POST /v1/embeddings` → `{"object": "list", "data": [{"object": "embedding", "index", "embedding"}], "model", "usage"}`. */
export async function openaiEmbeddings(request: Request): Promise<Response> {
  try {
    await identityFromRequest(request);
    const b = parse(openaiSchema, await readJson(request));
    const model = await embeddingModel(b.model);
    const inputs = typeof b.input === "string" ? [b.input] : b.input;
    const r = await embed(model, inputs, b.dimensions);
    const encode = (v: number[]) => (b.encoding_format === "base64" ? Buffer.from(Float32Array.from(v).buffer).toString("base64") : v);
    return Response.json({
      object: "list",
      data: r.vectors.map((v, index) => ({ object: "embedding", index, embedding: encode(v) })),
      model: b.model,
      usage: { prompt_tokens: r.tokens, total_tokens: r.tokens },
    });
  } catch (e) {
    return openaiErrorResponse(e);
  }
}
