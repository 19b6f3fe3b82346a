import { decisionSchema, interactionReward } from "@/lib/domain";
import type { RoutedAnswerRow } from "@/lib/db/queries/routed-answers";
import { offPolicyValue, onPolicyValue, type LoggedChoice, type PolicyValue } from "@/lib/learning/off-policy";

/** The answers it is judged on: the newest this many the learned policy routed in the window. */
export const ROUTED_ANSWERS_JUDGED = 2000;
/**
 * A fixed policy is shown once its weights are worth this many answers: below it, the answers
 * that judge it are the few the policy still gave it, and those lean low (on the replays of
 * the published MMLU-Pro labels, estimates worth fewer answers fell up to 27 points under the
 * truth, inside their wide intervals; bench:routing:seeds reports the check).
 */
export const MIN_EFFECTIVE_ANSWERS = 20;

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

const drawSchema = decisionSchema.shape.draw.unwrap();

/**
 * What learned routing earned on the answers it routed, beside what the role table and each
 * model alone would have earned on the same requests (off-policy estimates with 95%
 * intervals, lib/learning/off-policy.ts). Answers with no reward yet, or whose draw does not
 * parse, are left out.
 */
export function prepareRoutingValue(rows: readonly RoutedAnswerRow[]): RoutingValue {
  const logged: LoggedChoice[] = [];
  for (const row of rows) {
    const draw = drawSchema.safeParse(row.draw);
    const reward = interactionReward(row);
    if (!draw.success || reward === null || !(draw.data.propensity > 0)) continue;
    logged.push({ model: draw.data.model, propensity: draw.data.propensity, eligible: draw.data.eligible, reward, table: draw.data.table });
  }
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
