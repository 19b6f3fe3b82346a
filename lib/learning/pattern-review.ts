import "server-only";
import { recordAudit } from "@/lib/db/queries/audit";
import { decideRoutingPattern } from "@/lib/db/queries/pattern-members";
import { AppError } from "@/lib/errors";
import { act, actorId, type Actor } from "./engine";
import { resetPatternCache } from "./pattern-cache";

/**
 * An operator's word on a learned routing pattern: share it with everyone (a pattern
 * otherwise serves only the users who taught it until a second user agrees), or retire it.
 * Audited like every other decision.
 */
export async function decidePattern(actor: Actor, { id, decision, reason }: { id: string; decision: "share" | "retire"; reason?: string }): Promise<void> {
  await act(actor, async (tx) => {
    if (!(await decideRoutingPattern(tx, { id, decision }))) throw new AppError("not_found:learning", "That routing pattern does not exist.");
    await recordAudit(tx, { actor: actorId(actor), action: `pattern.${decision}`, targetType: "learning_pattern", targetId: id, reason });
  });
  resetPatternCache(); // here at once; other instances by the database's notification
}
