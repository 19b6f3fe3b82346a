/**
 * Export of interactions with their feedback, for the dashboard's current filters, as CSV or
 * JSONL. Streamed page by page, each page its own short transaction: the embedded database
 * runs one transaction at a time, so a slow download must never hold one open.
 */
import { z } from "zod";
import { readDecision } from "@/lib/domain/decision";
import { AppError } from "../errors";
import type { Queryable } from "../db/types";
import { listInteractionsForExport, type ExportRow } from "../db/queries/export";
import { rangeWindow, type Filters } from "./filters";

export const exportFormatSchema = z.enum(["csv", "jsonl"]);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

/** Authenticate, then authorise: only operators export (RLS would also limit anyone else to their own rows). */
export function authoriseExport(identity: { isOperator: boolean } | null): void {
  if (!identity) throw new AppError("unauthorized:auth");
  if (!identity.isOperator) throw new AppError("forbidden:auth", "Only operators can export interactions.");
}

export const CSV_COLUMNS = [
  "id",
  "created_at",
  "completed_at",
  "conversation_id",
  "user_id",
  "source",
  "status",
  "task_type",
  "model_used",
  "first_model",
  "routing_reason",
  "explored",
  "failed_attempts",
  "attempts",
  "temperature",
  "num_predict",
  "num_ctx",
  "response_time_ms",
  "success_rating",
  "thumbs",
  "tags",
  "copied",
  "correction",
  "better_model",
  "preferred",
  "reward",
  "prompt_tokens",
  "completion_tokens",
  "parent_id",
  "user_prompt",
  "response",
] as const;

/** A flat record per interaction: the CSV's columns. */
export function flatten(r: ExportRow): Record<(typeof CSV_COLUMNS)[number], string | number | boolean | null> {
  const d = readDecision(r.routing_decision);
  const fb = r.feedback ?? {};
  const params: Record<string, unknown> = d.params ?? {};
  const attempts = d.attempts ?? [];
  const num = (v: unknown) => (typeof v === "number" ? v : null);
  return {
    id: r.id,
    created_at: r.created_at,
    completed_at: r.completed_at,
    conversation_id: r.conversation_id,
    user_id: r.user_id,
    source: r.source,
    status: r.status,
    task_type: r.task_type,
    model_used: r.model_used,
    first_model: typeof d.model === "string" ? d.model : null,
    routing_reason: typeof d.reason === "string" ? d.reason : null,
    explored: typeof d.explored === "boolean" ? d.explored : null,
    failed_attempts: attempts.filter((a) => a.ok === false && a.reason !== "cancelled").length,
    attempts: attempts.map((a) => `${a.model ?? "?"}:${a.ok ? "ok" : (a.reason ?? "failed")}`).join(" > "),
    temperature: num(params.temperature),
    num_predict: num(params.num_predict),
    num_ctx: num(params.num_ctx),
    response_time_ms: r.response_time === null ? null : Math.round(Number(r.response_time)),
    success_rating: r.success_rating,
    thumbs: typeof fb.thumbs === "string" ? fb.thumbs : null,
    tags: Array.isArray(fb.tags) ? fb.tags.join(";") : null,
    copied: fb.copied === true ? true : null,
    correction: typeof fb.correction === "string" ? fb.correction : null,
    better_model: typeof fb.betterModel === "string" ? fb.betterModel : null,
    preferred: typeof fb.preferred === "boolean" ? fb.preferred : null,
    reward: r.reward === null ? null : Number(r.reward),
    prompt_tokens: r.prompt_tokens,
    completion_tokens: r.completion_tokens,
    parent_id: r.parent_id,
    user_prompt: r.user_prompt,
    response: r.response,
  };
}

/** One CSV field: quoted when needed; text that a spreadsheet would run as a formula is defused. */
export function csvField(v: string | number | boolean | null): string {
  if (v === null || v === undefined) return "";
  if (typeof v !== "string") return String(v);
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly (string | number | boolean | null)[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}

/** The whole interaction as one JSON line (feedback and routing decision kept as they are). */
export function jsonLine(r: ExportRow): string {
  const { cursor, ...row } = r;
  void cursor;
  return `${JSON.stringify({ ...row, response_time: row.response_time === null ? null : Number(row.response_time), reward: row.reward === null ? null : Number(row.reward) })}\n`;
}

export function exportFilename(f: Filters, format: ExportFormat, now: number): string {
  const parts = ["interactions", f.range, f.model ?? "all-models", f.taskType ?? "all-tasks", new Date(now).toISOString().slice(0, 10)];
  return `${parts.join("_").replace(/[^a-zA-Z0-9._-]+/g, "-")}.${format}`;
}

/**
 * The export as a byte stream. `run` runs one page's query in a transaction under the
 * caller's RLS session (withUser in the app, withClaims in tests).
 */
export function exportStream({
  run,
  filters,
  format,
  now = Date.now(),
  pageSize = 1000,
}: {
  run: <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T>;
  filters: Filters;
  format: ExportFormat;
  now?: number;
  pageSize?: number;
}): ReadableStream<Uint8Array> {
  const { from } = rangeWindow(filters.range, now);
  const enc = new TextEncoder();
  let after: { cursor: string; id: string } | null = null;
  let started = false;
  let done = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started && format === "csv") {
        started = true;
        controller.enqueue(enc.encode(csvLine([...CSV_COLUMNS])));
        return;
      }
      started = true;
      if (done) {
        controller.close();
        return;
      }
      const rows = await run((tx) => listInteractionsForExport(tx, { from, model: filters.model, taskType: filters.taskType, after, limit: pageSize }));
      if (rows.length < pageSize) done = true;
      if (rows.length) {
        const last = rows[rows.length - 1];
        after = { cursor: last.cursor, id: last.id };
        const text = rows.map((r) => (format === "csv" ? csvLine(CSV_COLUMNS.map((c) => flatten(r)[c])) : jsonLine(r))).join("");
        controller.enqueue(enc.encode(text));
      }
      if (done) controller.close();
    },
  });
}
