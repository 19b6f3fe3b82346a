import "server-only";
import { z } from "zod";
import { asSystem } from "@/lib/db";
import { recordAudit } from "@/lib/db/queries/audit";
import { getOllamaPool } from "@/lib/ollama";

/**
 * One judgement call of the seed's agents (the Learning Director, the Knowledge Manager, the
 * Adaptation Engine) to a roster model through the Ollama pool, with structured output: the
 * zod schema becomes Ollama's `format`, and the answer must parse against it. Every call is
 * recorded in the audit log (agent, purpose, model, time, the answer or why there was none).
 * Agents only write text and verdicts; statistics and rules decide what happens with them.
 */
export type AgentName = "learning_director" | "knowledge_manager" | "adaptation_engine";

export async function callAgent<T extends z.ZodType>(c: {
  agent: AgentName;
  purpose: string;
  model: string;
  schema: T;
  system: string;
  user: string;
  signal?: AbortSignal;
  maxTokens?: number;
}): Promise<z.infer<T> | null> {
  const t0 = performance.now();
  let output: z.infer<T> | null = null;
  let error: string | null = null;
  try {
    const res = await getOllamaPool().chat({
      model: c.model,
      format: z.toJSONSchema(c.schema) as Record<string, unknown>,
      options: { temperature: 0, num_predict: c.maxTokens ?? 300 },
      signal: c.signal,
      messages: [
        { role: "system", content: c.system },
        { role: "user", content: c.user },
      ],
    });
    output = c.schema.parse(JSON.parse(res.content));
  } catch (e) {
    error = e instanceof Error ? e.message.slice(0, 300) : String(e);
  }
  const ms = Math.round(performance.now() - t0);
  await asSystem((tx) =>
    recordAudit(tx, {
      actor: `agent:${c.agent}`,
      action: `agent.${c.purpose}`,
      targetType: "agent_call",
      details: { model: c.model, ms, ok: output !== null, ...(output !== null ? { output } : { error }), input: c.user.slice(0, 2000) },
    }),
  ).catch((e) => console.error("could not record an agent call", e));
  return output;
}
