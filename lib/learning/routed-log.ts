/**
 * The learned policy's log as the off-policy estimates read it (pure): each finished answer
 * the policy routed, with its draw (lib/domain/decision.ts) and a known reward. Answers with
 * no reward yet, or whose draw does not parse, are left out.
 */
import { decisionSchema, interactionReward, type OutcomeRow } from "@/lib/domain";
import type { LoggedChoice } from "./off-policy";

/**
 * A fixed policy is judged once its weights are worth this many answers: below it, the answers
 * that judge it are the few the policy still gave it, and those lean low (on the replays of
 * the published MMLU-Pro labels, estimates worth fewer answers fell up to 27 points under the
 * truth, inside their wide intervals; bench:routing:seeds reports the check).
 */
export const MIN_EFFECTIVE_ANSWERS = 20;

const drawSchema = decisionSchema.shape.draw.unwrap();

/** A routed answer as stored: its draw and what its reward is read from. */
export type RoutedRow = OutcomeRow & { draw: unknown };

export function loggedChoices<T extends RoutedRow>(rows: readonly T[]): (LoggedChoice & { row: T })[] {
  const out: (LoggedChoice & { row: T })[] = [];
  for (const row of rows) {
    const draw = drawSchema.safeParse(row.draw);
    const reward = interactionReward(row);
    if (!draw.success || reward === null || !(draw.data.propensity > 0)) continue;
    out.push({ model: draw.data.model, propensity: draw.data.propensity, eligible: draw.data.eligible, reward, table: draw.data.table, row });
  }
  return out;
}
