import type { Queryable } from "../types";

/** Appends to the audit log: who, what, when (now), why. */
export async function recordAudit(
  tx: Queryable,
  entry: { actor: string; action: string; targetType: string; targetId?: string; reason?: string; details?: unknown },
): Promise<void> {
  await tx.query(
    `insert into audit_log (actor, action, target_type, target_id, reason, details) values ($1, $2, $3, $4, $5, $6::jsonb)`,
    [entry.actor, entry.action, entry.targetType, entry.targetId ?? null, entry.reason ?? null, JSON.stringify(entry.details ?? {})],
  );
}
