import { CHAT_TASK_TYPES, storableText } from "@/lib/domain";
import { z } from "zod";
import { QUICK_TAGS } from "@/lib/chat/types";

/**
 * The bodies the compatible endpoints accept. Fields those APIs define but the orchestrator
 * decides itself (sampling options, keep_alive, format, tools…) are accepted and ignored,
 * so existing clients work unchanged; what cannot be honoured (images, n > 1) is refused
 * with a 400 naming the field.
 */

const model = storableText().trim().min(1, "name a model: `elite` (routed) or one of the roster's tags").max(200);

// ── Ollama: POST /api/chat ───────────────────────────────────────────────────────────────
const ollamaMessage = z
  .object({
    role: z.enum(["system", "user", "assistant", "tool"]),
    content: storableText(),
    images: z.array(z.string()).max(0, "images are not supported by this endpoint").optional(),
  })
  .loose();

export const ollamaChatSchema = z
  .object({
    model,
    messages: z.array(ollamaMessage).min(1, "send at least one message").max(1000),
    stream: z.boolean().optional(),
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
    /** sampling and runtime options, passed to the model as Ollama takes them (completions only) */
    options: z.record(z.string(), z.unknown()).optional(),
    keep_alive: z.union([z.string().max(100), z.number()]).optional(),
  })
  .loose();
export type OllamaGenerateBody = z.infer<typeof ollamaGenerateSchema>;

// ── OpenAI: POST /v1/chat/completions ───────────────────────────────────────────────────
const textPart = z.object({ type: z.literal("text", "only text parts are supported"), text: storableText() }).loose();
const openaiMessage = z
  .object({
    role: z.enum(["system", "developer", "user", "assistant", "tool"]),
    content: z.union([storableText(), z.array(textPart)]).nullable().optional(),
  })
  .loose();

export const openaiChatSchema = z
  .object({
    model,
    messages: z.array(openaiMessage).min(1, "send at least one message").max(1000),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable().optional(),
    n: z.literal(1, "only one choice (n = 1) is supported").nullable().optional(),
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
    max_tokens: z.number().int().min(1).max(1_000_000).nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    seed: z.number().int().nullable().optional(),
    stop: z.union([storableText(), z.array(storableText()).max(16)]).nullable().optional(),
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
    task_type: z.enum(CHAT_TASK_TYPES, `expected one of ${CHAT_TASK_TYPES.join(", ")}`).optional(),
  })
  .refine((f) => Object.values(f).filter((v) => v !== undefined).length > 1, {
    message: "nothing to record: send rating, thumbs, correction, comment, tags, preferred_model or task_type",
  });
export type ApiFeedbackBody = z.infer<typeof apiFeedbackSchema>;

/** "messages.2.role: Invalid option…" — the first issue, naming the field (or `body`). */
export function describeIssue(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const field = issue.path.length ? issue.path.map(String).join(".") : "body";
  return { field, message: `${field}: ${issue.message}` };
}

export interface Turn {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
}

/** OpenAI messages → plain turns: text parts joined, `developer` as `system`, null content as "". */
export function openaiTurns(messages: OpenAIChatBody["messages"]): Turn[] {
  return messages.map((m) => ({
    role: m.role === "developer" ? "system" : m.role,
    content: typeof m.content === "string" ? m.content : (m.content ?? []).map((p) => p.text).join(""),
  }));
}

/**
 * The orchestrator takes one prompt plus the turns before it: the last message must be the
 * user's and say something. Returns null (with the reason) when it does not.
 */
export function splitTurns(turns: Turn[]): { prompt: string; history: Turn[] } | { error: { field: string; message: string } } {
  const last = turns[turns.length - 1];
  const field = `messages.${turns.length - 1}`;
  if (!last || last.role !== "user") return { error: { field: `${field}.role`, message: `${field}.role: the last message must be the user's` } };
  if (!last.content.trim()) return { error: { field: `${field}.content`, message: `${field}.content: the last message is empty` } };
  return { prompt: last.content, history: turns.slice(0, -1) };
}
