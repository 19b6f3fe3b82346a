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
 * anywhere is used at once, or within a second at worst. Asking again never holds a request
 * up: the remembered answer is given while one question goes to the database (a busy
 * embedded database answered it in tens of milliseconds, and every request arriving
 * meanwhile asked too); only a request after a change, or the first, waits for the answer.
 */
const YES_FOR_MS = 30_000;
const NO_FOR_MS = 1_000;
const g = globalThis as unknown as {
  __eliteKnowledgePresence?: { yes: boolean; at: number };
  __eliteKnowledgeChanges?: number;
  /** the question out now, and how many changes had been announced when it was asked */
  __eliteKnowledgeAsking?: { changes: number; answer: Promise<boolean> };
};

export async function knowledgeToRetrieve(): Promise<boolean> {
  onChange("knowledge", forget);
  const known = g.__eliteKnowledgePresence;
  if (!known) return ask();
  if (Date.now() - known.at >= (known.yes ? YES_FOR_MS : NO_FOR_MS)) ask().catch((e) => console.error("asking whether there is knowledge failed", e));
  return known.yes;
}

/** One question at a time; one asked before the latest change is not an answer after it. */
function ask(): Promise<boolean> {
  const changes = g.__eliteKnowledgeChanges ?? 0;
  const out = g.__eliteKnowledgeAsking;
  if (out && out.changes === changes) return out.answer;
  const at = Date.now();
  const answer = asSystem(anyActiveKnowledge).then((yes) => {
    // A change announced while the question was out may not be in the answer: it is not kept.
    if ((g.__eliteKnowledgeChanges ?? 0) === changes) g.__eliteKnowledgePresence = { yes, at };
    return yes;
  });
  const asking = { changes, answer };
  g.__eliteKnowledgeAsking = asking;
  const done = () => void (g.__eliteKnowledgeAsking === asking && (g.__eliteKnowledgeAsking = undefined));
  answer.then(done, done);
  return answer;
}

function forget(): void {
  g.__eliteKnowledgeChanges = (g.__eliteKnowledgeChanges ?? 0) + 1;
  g.__eliteKnowledgePresence = undefined;
}
