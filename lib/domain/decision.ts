import { z } from "zod";

/**
 * The routing decision recorded with every interaction (`interactions.routing_decision`) and
 * streamed to the chat: the one schema every reader parses it with.
 */
export const attemptSchema = z.object({
  model: z.string(),
  role: z.string().nullable(),
  ok: z.boolean(),
  reason: z.string().nullable(), // error code or check that failed: timeout, http, stream_broken, empty, refused, truncated, context_overflow…
  message: z.string().nullable(),
  ms: z.number(),
  ttftMs: z.number().nullable().optional(), // request to first token
  cold: z.boolean().optional(), // the model was not loaded when the attempt began
  promptTokens: z.number().optional(), // the prompt's size as planned (what failure prediction learns from)
  /** the time-outs it ran under, when learned from the model's own latency (else the defaults) */
  budget: z.object({ firstTokenMs: z.number(), totalMs: z.number(), from: z.number() }).optional(),
});
export type Attempt = z.infer<typeof attemptSchema>;

export const decisionSchema = z.object({
  /** One line for the UI: what was chosen and why. */
  summary: z.string().optional(),
  taskType: z.string(),
  confidence: z.number(),
  voters: z.array(z.object({ name: z.string(), taskType: z.string(), confidence: z.number() })),
  /** a follow-up, classified mostly by the user's request before it (lib/learning/request-in-conversation.ts) */
  followUp: z.boolean().optional(),
  /** the router model was asked (the other voters were unsure) and not heard: busy answering others past its wait, or failed */
  routerMissed: z.enum(["busy", "failed"]).optional(),
  model: z.string(),
  role: z.string().nullable(),
  reason: z.enum(["policy", "pattern", "rule", "forced", "regenerate"]),
  explored: z.boolean(),
  pattern: z
    .object({
      id: z.string(),
      similarity: z.number(),
      confidence: z.number(),
      /** the fraction of unrelated reference requests less similar to this request than the pattern's nearest member */
      closerThan: z.number().optional(),
      /** whose pattern it is: taught by this user only, or shared (several users, or an operator) */
      scope: z.enum(["yours", "shared"]).optional(),
      /** the model an approved routing rule preferred, when the pattern took precedence over it */
      overrodeRule: z.string().optional(),
    })
    .nullable(),
  means: z.record(z.string(), z.number()).optional(),
  chain: z.array(z.string()),
  params: z.record(z.string(), z.number()),
  /** the parameter arm the answering model ran with (null: fixed by the configuration) */
  armId: z.string().nullable().optional(),
  configVersion: z.number().nullable(),
  skipped: z.array(z.object({ model: z.string(), reason: z.string() })),
  attempts: z.array(attemptSchema),
  /** the knowledge put into the prompt: fused search score, and how near the request was by the embedding model's own standard (0 … 1) */
  knowledge: z.array(z.object({ id: z.string(), topic: z.string(), score: z.number(), closeness: z.number().optional() })).optional(),
  /**
   * The learned policy's draw, when it chose the model (recorded when the answer is finished):
   * the model it drew, the chance it had of drawing it, the models it drew among, and the role
   * table's first available model. The dashboard judges fixed policies by it (lib/learning/off-policy.ts).
   * `failing`: the models it weighed against for a notable risk of not answering at all
   * (recent errors, time-outs: lib/learning/failure-model.ts), with that risk.
   */
  draw: z
    .object({
      model: z.string(),
      propensity: z.number(),
      eligible: z.array(z.string()),
      table: z.string().nullable(),
      failing: z.array(z.object({ model: z.string(), risk: z.number() })).optional(),
    })
    .optional(),
});
export type Decision = z.infer<typeof decisionSchema>;
/** Why the router model's vote is missing although it was asked. */
export type RouterMissed = NonNullable<Decision["routerMissed"]>;

/**
 * A stored decision, leniently: rows written before a field existed, or by the demo history,
 * may lack some. Every field is optional, and a malformed field reads as absent without
 * losing the others.
 */
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const d = decisionSchema.shape;
export const storedDecisionSchema = z.object({
  summary: lenient(d.summary),
  taskType: lenient(d.taskType),
  confidence: lenient(d.confidence),
  voters: lenient(d.voters),
  followUp: lenient(d.followUp),
  routerMissed: lenient(d.routerMissed),
  model: lenient(d.model),
  role: lenient(d.role),
  reason: lenient(d.reason),
  explored: lenient(d.explored),
  pattern: lenient(d.pattern),
  means: lenient(d.means),
  chain: lenient(d.chain),
  params: lenient(d.params),
  armId: lenient(d.armId),
  configVersion: lenient(d.configVersion),
  skipped: lenient(d.skipped),
  attempts: lenient(z.array(attemptSchema.partial().required({ model: true, ok: true }))),
  knowledge: lenient(d.knowledge),
  draw: lenient(d.draw),
});
export type StoredDecision = z.infer<typeof storedDecisionSchema>;

export function readDecision(value: unknown): StoredDecision {
  const parsed = storedDecisionSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : {};
}
