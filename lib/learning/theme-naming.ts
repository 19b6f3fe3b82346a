/** The Learning Director names a feedback group no known theme covers, and drafts its instruction. */
import "server-only";
import { z } from "zod";
import type { Roster } from "@/lib/domain";
import { callAgent } from "@/lib/agents/agent-call";
import type { FeedbackGroup } from "./feedback-meaning";

const namingSchema = z.object({
  name: z.string().min(1).max(80),
  instruction: z.string().min(3).max(300),
});

/** The router model's name and instruction for a group (null when it gave none). */
export async function nameGroup(roster: Roster, g: FeedbackGroup, signal?: AbortSignal): Promise<{ name: string; instruction: string } | null> {
  return callAgent({
    agent: "learning_director",
    purpose: "name_theme",
    model: roster.roles.router,
    schema: namingSchema,
    signal,
    system:
      "You read feedback users gave on a coding assistant's answers. The comments below were grouped because they say the same thing. " +
      "Answer as JSON: name (a few words for what users want changed) and instruction (one imperative sentence to add to the assistant's system prompt so future answers do it).",
    user: `Feedback from ${new Set(g.members.map((m) => m.userId ?? m.id)).size} users:\n${g.samples.map((s) => `- ${s}`).join("\n")}`,
  });
}
