import { z } from "zod";
import { attemptSchema, decisionSchema } from "@/lib/domain/decision";

export { attemptSchema, decisionSchema, type Attempt, type Decision } from "@/lib/domain/decision";

/** One function call, as Ollama sends it: the name and the arguments as an object. */
export const toolCallSchema = z.object({ function: z.object({ name: z.string(), arguments: z.record(z.string(), z.unknown()) }) });

/**
 * What the server streams to the chat while it answers: one JSON object per line (NDJSON).
 * The browser parses each line with this schema; anything else is a protocol error.
 */
export const runEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("start"),
    interactionId: z.string(),
    conversationId: z.string(),
    parentId: z.string().nullable(),
    decision: decisionSchema,
  }),
  z.object({ type: z.literal("token"), text: z.string() }),
  /** The model's reasoning, when the request asked it to think and the model can (Ollama's `think`). */
  z.object({ type: z.literal("thinking"), text: z.string() }),
  /** Functions the model called (agents' tool use through the compatible APIs). */
  z.object({ type: z.literal("tool_calls"), calls: z.array(toolCallSchema) }),
  z.object({ type: z.literal("fallback"), attempt: attemptSchema, next: z.object({ model: z.string(), role: z.string().nullable() }) }),
  z.object({
    type: z.literal("done"),
    interactionId: z.string(),
    decision: decisionSchema,
    responseTimeMs: z.number(),
    response: z.string(),
    /** Tokens as the answering model counted them (the compatible APIs report them). */
    usage: z.object({ promptTokens: z.number().nullable(), completionTokens: z.number().nullable() }).optional(),
    /** The functions the answer called, when it called any. */
    toolCalls: z.array(toolCallSchema).optional(),
    /** The answer ended at the client's own token limit (the compatible APIs say `length`). */
    stoppedAtLimit: z.boolean().optional(),
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
