import { z } from "zod";
import { toolCallSchema } from "./events";

type ToolCall = z.infer<typeof toolCallSchema>;

const recorded = z.object({ tool_calls: z.array(toolCallSchema).min(1) });

/**
 * How an answer that only called functions is recorded as its response: `{"tool_calls": [...]}`,
 * each call its name and arguments only (what a client sends back in an agent's next step,
 * whatever else the model added, such as an index), so that the step can be found by it.
 */
export function toolCallAnswer(calls: readonly ToolCall[]): string {
  return JSON.stringify({ tool_calls: calls.map((c) => ({ function: { name: c.function.name, arguments: c.function.arguments } })) });
}

/** The calls a recorded answer made, when it only called functions; null for any other answer. */
export function toolCallsOfAnswer(response: string): ToolCall[] | null {
  if (!response.startsWith('{"tool_calls":')) return null;
  try {
    const parsed = recorded.safeParse(JSON.parse(response));
    return parsed.success ? parsed.data.tool_calls : null;
  } catch {
    return null;
  }
}
