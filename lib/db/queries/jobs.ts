import type { Queryable } from "../types";

export type JobKind = "ingest_document" | "reembed" | "learning_analysis" | "experiment_check";
export type JobStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface JobRow {
  id: string;
  kind: JobKind;
  status: JobStatus;
  progress: number;
  stage: string | null;
  payload: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: string | null;
  attempts: number;
  run_after: Date;
  locked_at: Date | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = "id, kind, status, progress, stage, payload, result, error, attempts, run_after, locked_at, created_by, created_at, updated_at";

export async function insertJob(
  tx: Queryable,
  j: { kind: JobKind; payload: Record<string, unknown>; createdBy?: string | null; runAfter?: Date },
): Promise<JobRow> {
  const { rows } = await tx.query<JobRow>(
    `insert into jobs (kind, payload, created_by, run_after) values ($1, $2::jsonb, $3, coalesce($4, now())) returning ${COLUMNS}`,
    [j.kind, JSON.stringify(j.payload), j.createdBy ?? null, j.runAfter ?? null],
  );
  return rows[0];
}

/**
 * Takes the oldest due job (of the given kinds) for this worker: `for update skip locked`
 * lets several workers (processes, a cron call) share the queue without taking one job twice.
 */
export async function claimJob(tx: Queryable, { kinds }: { kinds: JobKind[] }): Promise<JobRow | null> {
  const { rows } = await tx.query<JobRow>(
    `update jobs set status = 'running', locked_at = now(), attempts = attempts + 1, error = null
     where id = (
       select id from jobs
       where status = 'queued' and run_after <= now() and kind = any($1::text[])
       order by run_after, created_at, id
       for update skip locked
       limit 1)
     returning ${COLUMNS}`,
    [kinds],
  );
  return rows[0] ?? null;
}

export async function setJobProgress(tx: Queryable, { id, progress, stage }: { id: string; progress: number; stage: string }): Promise<void> {
  await tx.query("update jobs set progress = $2, stage = $3, locked_at = now() where id = $1 and status = 'running'", [
    id,
    Math.max(0, Math.min(1, progress)),
    stage,
  ]);
}

export async function finishJob(
  tx: Queryable,
  j: { id: string; status: "succeeded" | "failed"; result?: unknown; error?: string | null },
): Promise<void> {
  await tx.query(
    `update jobs set status = $2, result = $3::jsonb, error = $4, locked_at = null,
       progress = case when $2 = 'succeeded' then 1 else progress end
     where id = $1`,
    [j.id, j.status, j.result === undefined ? null : JSON.stringify(j.result), j.error ?? null],
  );
}

/** Back in the queue after a failure that may pass (a model down, a time-out). */
export async function requeueJob(tx: Queryable, { id, error, runAfter }: { id: string; error: string; runAfter: Date }): Promise<void> {
  await tx.query("update jobs set status = 'queued', error = $2, run_after = $3, locked_at = null where id = $1", [id, error, runAfter]);
}

/** Jobs left running by a process that died: queued again (their attempt counted). */
export async function releaseStaleJobs(tx: Queryable, { olderThanMs }: { olderThanMs: number }): Promise<number> {
  const { rows } = await tx.query(
    `update jobs set status = 'queued', locked_at = null, error = 'the worker stopped while running it; retried'
     where status = 'running' and locked_at < now() - ($1::int * interval '1 millisecond') returning id`,
    [olderThanMs],
  );
  return rows.length;
}

export async function getJob(tx: Queryable, { id }: { id: string }): Promise<JobRow | null> {
  const { rows } = await tx.query<JobRow>(`select ${COLUMNS} from jobs where id = $1`, [id]);
  return rows[0] ?? null;
}

/** Cancels queued jobs of a kind whose payload matches (e.g. a deleted document's ingestion). */
export async function cancelQueuedJobs(tx: Queryable, { kind, payloadMatch }: { kind: JobKind; payloadMatch: Record<string, unknown> }): Promise<void> {
  await tx.query("update jobs set status = 'cancelled' where kind = $1 and status = 'queued' and payload @> $2::jsonb", [kind, JSON.stringify(payloadMatch)]);
}

/** The latest job per document (for the upload page's progress after a reload). */
export async function latestDocumentJobs(tx: Queryable, { documentIds }: { documentIds: string[] }): Promise<JobRow[]> {
  if (documentIds.length === 0) return [];
  const { rows } = await tx.query<JobRow>(
    `select distinct on (payload->>'documentId') ${COLUMNS} from jobs
     where kind = 'ingest_document' and payload->>'documentId' = any($1::text[])
     order by payload->>'documentId', created_at desc`,
    [documentIds],
  );
  return rows;
}
