import type { RoutedAnswerRow } from "@/lib/db/queries/routed-answers";
import { offPolicyValue, onPolicyValue, type PolicyValue } from "@/lib/learning/off-policy";
import { loggedChoices, MIN_EFFECTIVE_ANSWERS } from "@/lib/learning/routed-log";

/** The answers it is judged on: the newest this many the learned policy routed in the window. */
export const ROUTED_ANSWERS_JUDGED = 2000;

/** One way of routing and what it would have earned on the operator's traffic. */
export interface RoutingValueRow {
  /** "learned", "table" (the role table) or a model's tag (that model for every request) */
  policy: string;
  value: PolicyValue;
}

export interface RoutingValue {
  /** answers judged (the learned policy's, with a known reward) */
  answers: number;
  /** the learned policy first, then the role table, then each model alone, best estimate first */
  rows: RoutingValueRow[];
  /** why there is nothing to show (null when there is) */
  empty: string | null;
}

/**
 * What learned routing earned on the answers it routed, beside what the role table and each
 * model alone would have earned on the same requests (off-policy estimates with 95%
 * intervals, lib/learning/off-policy.ts), each once its weights are worth MIN_EFFECTIVE_ANSWERS.
 */
export function prepareRoutingValue(rows: readonly RoutedAnswerRow[]): RoutingValue {
  const logged = loggedChoices(rows);
  if (logged.length === 0) return { answers: 0, rows: [], empty: "No answers routed by the learned policy have an outcome in this window yet." };
  const table = offPolicyValue(logged, (r) => r.table);
  const models = [...new Set(logged.flatMap((r) => r.eligible))]
    .map((model) => ({ policy: model, value: offPolicyValue(logged, () => model) }))
    .filter((m) => m.value.value !== null && m.value.effectiveN >= MIN_EFFECTIVE_ANSWERS)
    .sort((a, b) => b.value.value! - a.value.value!);
  return {
    answers: logged.length,
    rows: [{ policy: "learned", value: onPolicyValue(logged) }, ...(table.value !== null && table.effectiveN >= MIN_EFFECTIVE_ANSWERS ? [{ policy: "table", value: table }] : []), ...models],
    empty: null,
  };
}
