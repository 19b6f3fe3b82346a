import type { Queryable } from "../types";

/** One finished editor completion, as recorded (lib/orchestrator/completion-log.ts). */
export interface CompletionRow {
  user_id: string;
  model: string;
  status: "completed" | "failed";
  prompt_chars: number;
  suffix_chars: number;
  response: string;
  ttft_ms: number | null;
  response_time: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  error: { code: string; message: string } | null;
}

/** Many completions in one statement (the log writes in batches). */
export async function insertCompletions(tx: Queryable, rows: readonly CompletionRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const { rows: out } = await tx.query<{ n: number }>(
    `with added as (
       insert into completions (user_id, model, status, prompt_chars, suffix_chars, response, ttft_ms, response_time,
         prompt_tokens, completion_tokens, error)
       select user_id, model, status, prompt_chars, suffix_chars, response, ttft_ms, response_time,
         prompt_tokens, completion_tokens, error
       from jsonb_to_recordset($1::jsonb) as x(user_id text, model text, status text, prompt_chars integer, suffix_chars integer,
         response text, ttft_ms float8, response_time float8, prompt_tokens integer, completion_tokens integer, error jsonb)
       returning 1)
     select count(*)::int as n from added`,
    [JSON.stringify(rows)],
  );
  return out[0].n;
}
