import "server-only";
import { asSystem } from "@/lib/db";
import { onChange } from "@/lib/db/changes";
import { anyActiveKnowledge } from "@/lib/db/queries/knowledge";

/**
 * Whether the knowledge base has anything to retrieve. While it is empty (a new install, most
 * instances without documents) retrieval is skipped, and a request for a named model need
 * not wait for its embedding. The answer is remembered and dropped when a trigger in the
 * database announces any change to the entries, from whichever instance
 * (20261206091000_knowledge_change_notifications.sql); as a safety net for a missed
 * notification, "yes" is asked again after 30 s and "no" after 1 s, so a document added
 * anywhere is used at once, or within a second at worst.
 */
const YES_FOR_MS = 30_000;
const NO_FOR_MS = 1_000;
const g = globalThis as unknown as { __eliteKnowledgePresence?: { yes: boolean; at: number }; __eliteKnowledgeChanges?: number };

export async function knowledgeToRetrieve(): Promise<boolean> {
  onChange("knowledge", forget);
  const known = g.__eliteKnowledgePresence;
  if (known && Date.now() - known.at < (known.yes ? YES_FOR_MS : NO_FOR_MS)) return known.yes;
  const at = Date.now();
  const changes = g.__eliteKnowledgeChanges ?? 0;
  const yes = await asSystem(anyActiveKnowledge);
  // A change announced while the question was out may not be in the answer: it is not kept.
  if ((g.__eliteKnowledgeChanges ?? 0) === changes) g.__eliteKnowledgePresence = { yes, at };
  return yes;
}

function forget(): void {
  g.__eliteKnowledgeChanges = (g.__eliteKnowledgeChanges ?? 0) + 1;
  g.__eliteKnowledgePresence = undefined;
}
