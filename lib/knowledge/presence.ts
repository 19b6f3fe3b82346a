import "server-only";
import { asSystem } from "@/lib/db";
import { anyActiveKnowledge } from "@/lib/db/queries/knowledge";

/**
 * Whether the knowledge base has anything to retrieve. While it is empty (a new install, most
 * instances without documents) retrieval is skipped for a one-row check instead of a full
 * hybrid search. Only "yes" is remembered (for 30 s): a "no" is asked again on every request,
 * so a document added by any instance is used from its first moment.
 */
const YES_FOR_MS = 30_000;
const g = globalThis as unknown as { __eliteKnowledgeSeen?: number };

export async function knowledgeToRetrieve(): Promise<boolean> {
  if (g.__eliteKnowledgeSeen && Date.now() - g.__eliteKnowledgeSeen < YES_FOR_MS) return true;
  const yes = await asSystem(anyActiveKnowledge);
  g.__eliteKnowledgeSeen = yes ? Date.now() : undefined;
  return yes;
}
