import { isChatTaskType, isTaskType, type TaskType } from "./task-types";

/** What a stored interaction says about its task type (the columns the confirmation reads). */
export interface TaskTypeEvidence {
  task_type: string | null;
  success_rating: number | null;
  feedback: unknown;
}

/**
 * The task type an interaction is known to have had, or null while unconfirmed: the one its
 * user (or an operator) stated ("wrong task type?", `task_type` in POST /api/feedback); else
 * the classified one, when the answer was rated well (4 stars or more, or thumbs up) and
 * nobody disputed it. Only confirmed labels teach the classifiers, so they never learn from
 * their own guesses. SQL `private.confirmed_task_type` is the same rule
 * (tests/integration/db.test.ts keeps them equal).
 */
export function confirmedTaskType(row: TaskTypeEvidence): TaskType | null {
  const stated = statedTaskType(row);
  if (stated) return stated;
  const f = (row.feedback ?? {}) as { thumbs?: unknown };
  const ratedWell = (row.success_rating ?? 0) >= 4 || f.thumbs === "up";
  return ratedWell && isTaskType(row.task_type) ? row.task_type : null;
}

/** The task type a person (the answer's user, or an operator) says the request was, if any: a chat task type (`completion` is the endpoint's). */
export function statedTaskType(row: Pick<TaskTypeEvidence, "feedback">): TaskType | null {
  const stated = ((row.feedback ?? {}) as { taskType?: unknown }).taskType;
  return isChatTaskType(stated) ? stated : null;
}
