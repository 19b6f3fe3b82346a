import { z } from "zod";
import { toolCallSchema } from "./events";

type ToolCall = z.infer<typeof toolCallSchema>;

const recorded = z.object({ tool_calls: z.array(toolCallSchema).min(1) });

/** How an answer that only called functions is recorded as its response: `{"tool_calls": [...]}`. */
export function toolCallAnswer(calls: readonly ToolCall[]): string {
  return JSON.stringify({ tool_calls: calls });
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
