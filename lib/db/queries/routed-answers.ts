import type { Queryable } from "../types";
import type { OutcomeRow } from "@/lib/domain";

/** A finished answer the learned policy routed: its draw (lib/domain/decision.ts) and what its reward is read from. */
export interface RoutedAnswerRow extends OutcomeRow {
  id: string;
  created_at: string;
  draw: unknown;
  task_type: string | null;
}

/**
 * The newest `limit` finished answers the learned policy routed (a client's housekeeping
 * aside), from `from` on and of one task type when given. Runs under the caller's RLS
 * session: an operator reads everyone's, anyone else only their own.
 */
export async function routedAnswers(tx: Queryable, f: { from: Date | null; taskType?: string | null; limit: number }): Promise<RoutedAnswerRow[]> {
  const { rows } = await tx.query<RoutedAnswerRow>(
    `select id, created_at, routing_draw as draw, task_type, status, success_rating, feedback, response_time
       from interactions
      where routing_draw is not null and status in ('completed', 'failed') and not client_task
        and ($1::timestamptz is null or created_at >= $1) and ($2::text is null or task_type = $2)
      order by created_at desc
      limit $3`,
    [f.from, f.taskType ?? null, f.limit],
  );
  return rows;
}
