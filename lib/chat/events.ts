import { z } from "zod";

/**
 * What the server streams to the chat while it answers: one JSON object per line (NDJSON).
 * The browser parses each line with this schema; anything else is a protocol error.
 */
export const attemptSchema = z.object({
  model: z.string(),
  role: z.string().nullable(),
  ok: z.boolean(),
  reason: z.string().nullable(), // error code or check that failed: timeout, http, stream_broken, empty, refused, truncated, context_overflow…
  message: z.string().nullable(),
  ms: z.number(),
  ttftMs: z.number().nullable().optional(), // request to first token
});
export type Attempt = z.infer<typeof attemptSchema>;

export const decisionSchema = z.object({
  /** One line for the UI: what was chosen and why. */
  summary: z.string().optional(),
  taskType: z.string(),
  confidence: z.number(),
  voters: z.array(z.object({ name: z.string(), taskType: z.string(), confidence: z.number() })),
  model: z.string(),
  role: z.string().nullable(),
  reason: z.enum(["policy", "pattern", "rule", "forced", "regenerate"]),
  explored: z.boolean(),
  pattern: z.object({ id: z.string(), similarity: z.number(), confidence: z.number() }).nullable(),
  means: z.record(z.string(), z.number()).optional(),
  chain: z.array(z.string()),
  params: z.record(z.string(), z.number()),
  configVersion: z.number().nullable(),
  skipped: z.array(z.object({ model: z.string(), reason: z.string() })),
  attempts: z.array(attemptSchema),
  knowledge: z.array(z.object({ id: z.string(), topic: z.string(), score: z.number() })).optional(),
});
export type Decision = z.infer<typeof decisionSchema>;

export const runEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("start"),
    interactionId: z.string(),
    conversationId: z.string(),
    parentId: z.string().nullable(),
    decision: decisionSchema,
  }),
  z.object({ type: z.literal("token"), text: z.string() }),
  z.object({ type: z.literal("fallback"), attempt: attemptSchema, next: z.object({ model: z.string(), role: z.string().nullable() }) }),
  z.object({
    type: z.literal("done"),
    interactionId: z.string(),
    decision: decisionSchema,
    responseTimeMs: z.number(),
    response: z.string(),
    /** Tokens as the answering model counted them (the compatible APIs report them). */
    usage: z.object({ promptTokens: z.number().nullable(), completionTokens: z.number().nullable() }).optional(),
  }),
  z.object({
    type: z.literal("error"),
    code: z.string(),
    message: z.string(),
    interactionId: z.string().nullable(),
    decision: decisionSchema.nullable(),
  }),
]);
export type RunEvent = z.infer<typeof runEventSchema>;
