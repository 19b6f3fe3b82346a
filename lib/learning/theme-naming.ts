/** The router model names a feedback group no known theme covers, and words its instruction. */
import "server-only";
import { z } from "zod";
import { getOllamaPool } from "@/lib/ollama";
import type { Roster } from "@/lib/domain";

import type { ThemeGroup } from "./themes";

const namingSchema = z.object({ name: z.string().min(1).max(80), instruction: z.string().min(3).max(300) });
const NAMING_FORMAT = z.toJSONSchema(namingSchema) as Record<string, unknown>;

/** The router model names a group of feedback no known theme covers (best effort). */
export async function nameGroup(roster: Roster, g: ThemeGroup, signal?: AbortSignal): Promise<{ name: string; instruction: string } | null> {
  try {
    const res = await getOllamaPool().chat({
      model: roster.roles.router,
      format: NAMING_FORMAT,
      options: { temperature: 0, num_predict: 200 },
      signal,
      messages: [
        {
          role: "system",
          content:
            "You name themes in user feedback on a coding assistant's answers. Answer as JSON: name (a few words) and instruction (one imperative sentence to add to the assistant's system prompt that addresses the feedback).",
        },
        { role: "user", content: `Feedback mentioning "${g.keyword}":\n${(g.samples ?? []).map((s) => `- ${s}`).join("\n")}` },
      ],
    });
    return namingSchema.parse(JSON.parse(res.content));
  } catch {
    return null;
  }
}
