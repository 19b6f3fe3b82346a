import "server-only";
import { z } from "zod";
import { callAgent } from "@/lib/agents/agent-call";
import { asSystem } from "@/lib/db";
import { setAdaptationRationale, type AdaptationRow } from "@/lib/db/queries/adaptations";
import type { Roster } from "@/lib/domain";

const rationaleSchema = z.object({
  summary: z.string().min(1).max(600),
  risks: z.string().min(1).max(400),
});

/**
 * The Adaptation Engine (the router model) writes, for each new proposal, the rationale an
 * operator reads: what the evidence says and what could go wrong. It is text beside the
 * statistics, never a decision; a proposal without one is shown with its evidence alone.
 */
export async function explainProposals(roster: Roster, proposals: AdaptationRow[], signal?: AbortSignal): Promise<number> {
  let written = 0;
  for (const p of proposals) {
    if (signal?.aborted) break;
    const evidence = { ...(p.evidence as Record<string, unknown>) };
    delete evidence.feedback; // users' words stay out of a model's prompt beyond what the title says
    const r = await callAgent({
      agent: "adaptation_engine",
      purpose: "explain_proposal",
      model: roster.roles.router,
      schema: rationaleSchema,
      signal,
      system:
        "You explain proposed changes to a coding assistant's configuration to the operator who approves them. Answer as JSON: summary " +
        "(two sentences: what changes and what the evidence shows, with its numbers) and risks (one sentence: what could get worse).",
      user: `Proposal: ${p.title}\nKind: ${p.kind}, risk ${p.risk}\nExpected: ${JSON.stringify(p.expected_effect).slice(0, 800)}\nEvidence: ${JSON.stringify(evidence).slice(0, 2500)}`,
    });
    if (!r) continue;
    await asSystem((tx) => setAdaptationRationale(tx, { id: p.id, rationale: { ...r, by: roster.roles.router } }));
    written++;
  }
  return written;
}
