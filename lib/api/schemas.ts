import { CHAT_TASK_TYPES, ROLES, storableText, taskTypeNamed, type AnswerLimits, type Role } from "@/lib/domain";
import { z } from "zod";
import { QUICK_TAGS } from "@/lib/chat/types";
import { MAX_ALSO_ROUTED, modelTagSchema } from "@/lib/roster/model-tag-schema";

/**
 * The bodies the compatible endpoints accept. Fields those APIs define but the orchestrator
 * decides itself (chat sampling options, keep_alive…) are accepted and ignored, so existing
 * clients work unchanged; tools, structured output and thinking pass through to a model that
 * can; what cannot be honoured (images, n > 1) is refused with a 400 naming the field.
 */

const model = storableText().trim().min(1, "name a model: `elite` (routed) or one of the roster's tags").max(200);

// ── Tools (both dialects name a function, describe it and give its JSON-schema parameters) ──
const toolName = z.string().trim().min(1, "name the function").max(200);
const functionTool = z
  .object({
    type: z.literal("function", "only function tools are supported"),
    function: z.object({ name: toolName, description: storableText().max(20_000).optional(), parameters: z.record(z.string(), z.unknown()).optional() }).loose(),
  })
  .loose();
const tools = z.array(functionTool).max(128, "at most 128 tools");
const ollamaToolCall = z.object({ function: z.object({ name: toolName, arguments: z.record(z.string(), z.unknown()) }).loose() }).loose();

// ── The client's limits on an answer (lib/domain/answer-limits.ts) ─────────────────────────
const stop = z.union([storableText(), z.array(storableText()).max(16, "at most 16 stop strings")], "expected a string or an array of strings");

/** A token limit and stop strings (one or several, empty ones dropped) as the orchestrator takes them. */
function limitsOf(maxTokens: number | null | undefined, stop: string | string[] | null | undefined): AnswerLimits {
  const stops = (stop == null ? [] : Array.isArray(stop) ? stop : [stop]).filter((x) => x.length > 0);
  return { ...(maxTokens != null ? { maxTokens } : {}), ...(stops.length ? { stop: stops } : {}) };
}

/**
 * The options Ollama knows (its api.Options and runner options, older versions' included) and
 * the JSON type it takes for each: Ollama's Options.FromMap refuses any other type ("option
 * \"temperature\" must be of type float32"), answered as a server error, so a client's mistake
 * would read as every model failing. Whole-number options take any number, as Ollama does (it truncates).
 * Options Ollama does not know pass, as there (it ignores them), and so does null (it skips it).
 */
const OLLAMA_NUMBER_OPTIONS = [
  "num_keep", "seed", "top_k", "repeat_last_n", "num_ctx", "num_batch", "num_gpu", "main_gpu", "num_thread",
  "top_p", "min_p", "typical_p", "temperature", "repeat_penalty", "presence_penalty", "frequency_penalty",
  "mirostat", "mirostat_tau", "mirostat_eta", "tfs_z",
] as const;
const OLLAMA_BOOLEAN_OPTIONS = ["penalize_newline", "use_mmap", "use_mlock", "numa", "low_vram", "f16_kv", "vocab_only"] as const;

/**
 * Ollama's model options: the token limit and the stop strings are read by the orchestrator,
 * the rest passed on as they are for editors' completions and otherwise accepted; each of a
 * type Ollama takes. `num_predict` below 1 is Ollama's "no limit" (-1) or "fill the context" (-2).
 */
const ollamaOptions = z
  .object({
    num_predict: z.number().int("expected a whole number of tokens").optional(),
    stop: stop.optional(),
    ...Object.fromEntries(OLLAMA_NUMBER_OPTIONS.map((k) => [k, z.number("expected a number").nullable().optional()])),
    ...Object.fromEntries(OLLAMA_BOOLEAN_OPTIONS.map((k) => [k, z.boolean("expected true or false").nullable().optional()])),
  })
  .loose();

/**
 * How long Ollama keeps the model loaded after a completion (passed on for editors'
 * completions): seconds, or a Go duration such as "5m" or "1h30m"; negative keeps it. Ollama
 * refuses any other string as the whole request, which would read as every model failing.
 */
const KEEP_ALIVE_EXPECTED = 'expected seconds or a duration such as "5m" or "1h30m"';
const keepAlive = z.union([z.number(), z.string().trim().regex(/^-?(?:\d+(?:\.\d+)?|(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/, KEEP_ALIVE_EXPECTED)], KEEP_ALIVE_EXPECTED);

/** What an Ollama client limited the answer to (`options.num_predict`, `options.stop`). */
export function ollamaLimits(options: z.infer<typeof ollamaOptions> | undefined): AnswerLimits {
  const n = options?.num_predict;
  return limitsOf(n !== undefined && n > 0 ? n : undefined, options?.stop);
}

/** What an OpenAI client limited the answer to (`max_completion_tokens`, or the older `max_tokens`; `stop`). */
export function openaiLimits(b: { max_tokens?: number | null; max_completion_tokens?: number | null; stop?: string | string[] | null }): AnswerLimits {
  return limitsOf(b.max_completion_tokens ?? b.max_tokens, b.stop);
}

const maxTokens = z.number().int("expected a whole number of tokens").min(1, "expected at least 1 token").max(1_000_000).nullable().optional();

// ── Ollama: POST /api/chat ───────────────────────────────────────────────────────────────
const ollamaMessage = z
  .object({
    role: z.enum(["system", "user", "assistant", "tool"]),
    content: storableText(),
    images: z.array(z.string()).max(0, "images are not supported by this endpoint").optional(),
    tool_calls: z.array(ollamaToolCall).max(128).optional(),
    tool_name: toolName.optional(),
  })
  .loose();

export const ollamaChatSchema = z
  .object({
    model,
    messages: z.array(ollamaMessage).min(1, "send at least one message").max(1000),
    stream: z.boolean().optional(),
    tools: tools.optional(),
    format: z.union([z.literal("json"), z.record(z.string(), z.unknown())], 'format: "json" or a JSON schema').optional(),
    think: z.union([z.boolean(), z.enum(["high", "medium", "low"])], 'expected true, false, "high", "medium" or "low"').optional(),
    /** the token limit and stop strings are honoured; the orchestrator chooses the sampling */
    options: ollamaOptions.optional(),
  })
  .loose();
export type OllamaChatBody = z.infer<typeof ollamaChatSchema>;

// ── Ollama: POST /api/generate ───────────────────────────────────────────────────────────
export const ollamaGenerateSchema = z
  .object({
    model,
    prompt: storableText().max(4_000_000).optional(),
    system: storableText().optional(),
    /** the text after the cursor: fill-in-the-middle */
    suffix: storableText().max(4_000_000).optional(),
    images: z.array(z.string()).max(0, "images are not supported by this endpoint").optional(),
    stream: z.boolean().optional(),
    raw: z.boolean().optional(),
    /** sampling and runtime options: passed to the model as Ollama takes them for completions; a prompt answered like a chat keeps only the token limit and stop strings */
    options: ollamaOptions.optional(),
    keep_alive: keepAlive.optional(),
  })
  .loose();
export type OllamaGenerateBody = z.infer<typeof ollamaGenerateSchema>;

// ── OpenAI: sampling ───────────────────────────────────────────────────────────────────
/**
 * The sampling a client asks for: the orchestrator chooses and learns its own (lib/learning/
 * params.ts), so these are ignored, but a value OpenAI refuses is refused here too.
 */
const openaiSampling = {
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  presence_penalty: z.number().min(-2).max(2).nullable().optional(),
  frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
  seed: z.number().int().nullable().optional(),
};

// ── OpenAI: POST /v1/chat/completions ───────────────────────────────────────────────────
const textPart = z.object({ type: z.literal("text", "only text parts are supported"), text: storableText() }).loose();
const openaiToolCall = z
  .object({
    id: z.string().max(200),
    type: z.literal("function").optional(),
    function: z.object({ name: toolName, arguments: z.string().max(1_000_000) }).loose(),
  })
  .loose();
const openaiMessage = z
  .object({
    role: z.enum(["system", "developer", "user", "assistant", "tool"]),
    content: z.union([storableText(), z.array(textPart)], "expected text or an array of text parts").nullable().optional(),
    tool_calls: z.array(openaiToolCall).max(128).nullable().optional(),
    tool_call_id: z.string().max(200).optional(),
  })
  .loose();

export const openaiChatSchema = z
  .object({
    model,
    messages: z.array(openaiMessage).min(1, "send at least one message").max(1000),
    tools: tools.nullable().optional(),
    response_format: z
      .union([
        z.object({ type: z.enum(["text", "json_object"]) }).loose(),
        z.object({ type: z.literal("json_schema"), json_schema: z.object({ schema: z.record(z.string(), z.unknown()).optional() }).loose() }).loose(),
      ])
      .nullable()
      .optional(),
    /** "none" keeps the tools from the model; anything else leaves the choice to it */
    tool_choice: z.union([z.enum(["none", "auto", "required"]), z.object({ type: z.literal("function") }).loose()], 'expected "none", "auto", "required" or a function').nullable().optional(),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable().optional(),
    n: z.literal(1, "only one choice (n = 1) is supported").nullable().optional(),
    /** the client's token limit (`max_tokens` is the older name) and stop strings are honoured; the orchestrator chooses the sampling */
    max_tokens: maxTokens,
    max_completion_tokens: maxTokens,
    stop: stop.nullable().optional(),
    ...openaiSampling,
  })
  .loose();
export type OpenAIChatBody = z.infer<typeof openaiChatSchema>;

// ── OpenAI: POST /v1/completions (legacy) ───────────────────────────────────────────────
export const openaiCompletionSchema = z
  .object({
    model,
    prompt: z.union([storableText().max(4_000_000), z.array(storableText()).length(1, "prompt: one prompt per request")]),
    /** the text after the cursor: fill-in-the-middle */
    suffix: storableText().max(4_000_000).nullable().optional(),
    stream: z.boolean().nullable().optional(),
    n: z.literal(1, "only one choice (n = 1) is supported").nullable().optional(),
    echo: z.literal(false, "echo is not supported").nullable().optional(),
    max_tokens: maxTokens,
    /** not in OpenAI's legacy API, but clients send it (the chat API's name), and the limit is read from it first */
    max_completion_tokens: maxTokens,
    stop: stop.nullable().optional(),
    ...openaiSampling,
  })
  .loose();
export type OpenAICompletionBody = z.infer<typeof openaiCompletionSchema>;

// ── POST /api/feedback ──────────────────────────────────────────────────────────────────
export const apiFeedbackSchema = z
  .strictObject({
    interaction_id: z.uuid("expected the interaction id a response carried (x-elite-interaction-id or elite.interaction_id)"),
    rating: z.number().int().min(1).max(5).optional(),
    thumbs: z.enum(["up", "down"]).optional(),
    correction: storableText().trim().min(1, "write the correction").max(20_000).optional(),
    comment: storableText().trim().min(1, "write the comment").max(20_000).optional(),
    tags: z.array(z.enum(QUICK_TAGS)).max(QUICK_TAGS.length).optional(),
    preferred_model: storableText().trim().min(1).max(200).optional(),
    // As people write it ("Code generation", "maths", "refactoring"); anything else is refused naming the ids.
    task_type: z.preprocess((v) => (typeof v === "string" ? (taskTypeNamed(v) ?? v) : v), z.enum(CHAT_TASK_TYPES, `expected one of ${CHAT_TASK_TYPES.join(", ")}`)).optional(),
  })
  .refine((f) => Object.values(f).filter((v) => v !== undefined).length > 1, {
    message: "nothing to record: send rating, thumbs, correction, comment, tags, preferred_model or task_type",
  });
export type ApiFeedbackBody = z.infer<typeof apiFeedbackSchema>;

/** `PUT /api/routing`: tags for some roles, the embedding model, and/or the whole list of models routed without a role. */
export const apiRoutingSchema = z
  .strictObject({
    roles: z.strictObject(Object.fromEntries(ROLES.map((r) => [r, modelTagSchema.optional()])) as Record<Role, z.ZodOptional<typeof modelTagSchema>>).optional(),
    embedding: modelTagSchema.optional(),
    also_routed: z.array(modelTagSchema).max(MAX_ALSO_ROUTED, `${MAX_ALSO_ROUTED} models at most`).optional(),
  })
  .refine((b) => b.roles !== undefined || b.embedding !== undefined || b.also_routed !== undefined, {
    message: "nothing to change: send roles, embedding or also_routed",
  });

/** "messages.2.role: Invalid option…" — the first issue, naming the field (or `body`). */
export function describeIssue(error: z.ZodError): { field: string; message: string } {
  const issue = specific(error.issues[0]);
  const field = issue.path.length ? issue.path.map(String).join(".") : "body";
  return { field, message: `${field}: ${issue.message}` };
}

/**
 * A value that fits none of a union's shapes says only "Invalid input": the shape it came
 * closest to says what is wrong (the failure deepest inside the value), e.g. an image among
 * a message's content parts, "messages.1.content.1.type: only text parts are supported".
 */
function specific(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (issue.code !== "invalid_union" || !issue.errors.length) return issue;
  let best: { path: PropertyKey[]; message: string } = issue;
  // A shape whose type the value has, but whose limit it breaks (too many texts), says more than "expected …".
  let limit: { path: PropertyKey[]; message: string } | null = null;
  for (const option of issue.errors) {
    if (!option[0]) continue;
    const inner = specific(option[0]);
    const path = [...issue.path, ...inner.path];
    if (path.length > best.path.length) best = { path, message: inner.message };
    else if (!limit && option[0].code !== "invalid_type") limit = { path, message: inner.message };
  }
  return best === issue && limit ? limit : best;
}
