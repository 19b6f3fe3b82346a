"use client";
import { useState } from "react";
import { reviewEntry } from "@/app/(ops)/knowledge/actions";
import type { PendingEntryView } from "@/lib/knowledge/views";

/** What waits for an operator: user corrections, and answers learned from one user (used for them only so far); approve shares them with everyone, reject drops them. */
export function PendingReview({ entries, onChange }: { entries: PendingEntryView[]; onChange: () => void }) {
  const [msg, setMsg] = useState<string | null>(null);
  if (entries.length === 0) return <p className="text-sm text-zinc-500" data-testid="pending-empty">Nothing waiting for review.</p>;
  async function decide(id: string, decision: "approve" | "reject") {
    const r = await reviewEntry({ id, decision });
    setMsg(r.ok ? r.message : r.error);
    onChange();
  }
  return (
    <div>
      {msg && <p role="status" className="mb-2 text-xs text-zinc-600 dark:text-zinc-400">{msg}</p>}
      <ul className="space-y-2" data-testid="pending-entries">
        {entries.map((e) => (
          <li key={e.id} data-testid="pending-entry" className="rounded border border-zinc-200 p-2 text-sm dark:border-zinc-800">
            <div className="font-medium">
              {e.topic}{" "}
              <span className="text-xs font-normal text-zinc-500" data-testid="pending-kind">
                {e.kind === "correction" ? "(a user's correction)" : "(learned from one user's answer; private to them)"}
              </span>
            </div>
            <p className="mt-1 whitespace-pre-wrap text-xs text-zinc-600 dark:text-zinc-400">{e.content.slice(0, 800)}</p>
            {e.review && (
              <p className="mt-1 text-xs" data-testid="pending-review-opinion">
                <span className={e.review.reusable ? "text-green-700 dark:text-green-400" : "text-amber-700 dark:text-amber-400"}>
                  {e.review.reusable ? "Reusable knowledge" : "Looks specific to one user"}
                </span>{" "}
                in {e.review.model}&rsquo;s opinion: {e.review.reason}
              </p>
            )}
            <div className="mt-2 flex gap-2">
              <button type="button" data-testid="pending-approve" onClick={() => decide(e.id, "approve")} className="rounded border border-green-600 px-2 py-0.5 text-xs text-green-700 dark:text-green-400">Approve</button>
              <button type="button" data-testid="pending-reject" onClick={() => decide(e.id, "reject")} className="rounded border border-red-300 px-2 py-0.5 text-xs text-red-700 dark:text-red-400">Reject</button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
