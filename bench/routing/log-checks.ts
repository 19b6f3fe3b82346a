/**
 * What the app reads from the learned router's own log, checked against the replay's truth:
 * the fixed strategies judged off-policy, as the dashboard judges them on live traffic
 * (lib/learning/off-policy.ts), and the routing rules the Learning Director would propose
 * (lib/learning/routing-value-candidates.ts), each beside what it is truly worth.
 */
import { mean } from "simple-statistics";
import type { TaskType } from "../../lib/domain";
import { drawable, offPolicyValue, type LoggedChoice, type PolicyValue } from "../../lib/learning/off-policy";
import { ROUTED_FOR_RULES, routingValueCandidates } from "../../lib/learning/routing-value-candidates";
import type { World } from "./world";

/** One request of the replay as the learned router logged it, with each fixed strategy's choice and realised reward beside it. */
export type LoggedStep = LoggedChoice & { choices: Partial<Record<string, string>>; realised: Partial<Record<string, number>>; item: number; step: number; taskType: TaskType };

export type LogChecks = {
  /**
   * The fixed strategies judged from the log over the last half, beside what they truly
   * scored on the same draws: over the requests the estimate could cover (`actual`, what it
   * estimates) and over all of them (`actualAll`). `covered`: whether the 95% interval holds
   * the true figure.
   */
  offPolicy: Partial<Record<"static" | "bestSingle", PolicyValue & { actual: number | null; actualAll: number; covered: boolean | null }>>;
  /** the routing rules the Learning Director would propose from the log, and what each is truly worth over the last half (expected success, model − learned) */
  rulesArgued: { taskType: TaskType; model: string; estimatedGain: number; trueGain: number | null; lastHalfRequests: number }[];
};

const round = (x: number) => Math.round(x * 10_000) / 10_000;

export function checksFromLog(world: World, logged: readonly LoggedStep[], strategies: readonly string[]): LogChecks {
  const lastLogged = logged.slice(Math.floor(logged.length / 2));
  const offPolicy: LogChecks["offPolicy"] = {};
  for (const s of ["static", "bestSingle"] as const) {
    if (!strategies.includes(s)) continue;
    const choose = (row: LoggedStep) => row.choices[s] ?? null;
    const estimate = offPolicyValue(lastLogged, choose);
    const supported = lastLogged.filter((row) => drawable(row, choose(row)));
    const actual = supported.length ? round(mean(supported.map((row) => row.realised[s]!))) : null;
    offPolicy[s] = {
      ...estimate,
      actual,
      actualAll: round(mean(lastLogged.map((row) => row.realised[s]!))),
      covered: actual === null || estimate.low === null ? null : estimate.low <= actual && actual <= estimate.high!,
    };
  }
  // Over the newest answers as the Learning Director reads them, at the end of the run; each
  // rule's worth is the model's and learned routing's expected success on the last half's
  // requests of that task type.
  const rulesArgued = routingValueCandidates(
    logged.slice(-ROUTED_FOR_RULES).map((l) => ({ ...l, row: { id: String(l.step), created_at: new Date(l.step).toISOString(), draw: null, task_type: l.taskType, status: "completed", success_rating: null, feedback: {}, response_time: null } })),
  ).map((c) => {
    const change = c.change as { taskType: TaskType; model: string };
    const steps = lastLogged.filter((l) => l.taskType === change.taskType);
    return {
      taskType: change.taskType,
      model: change.model,
      estimatedGain: (c.evidence.effectSize as { difference: number }).difference,
      trueGain: steps.length ? round(mean(steps.map((l) => world.prob(l.item, change.model, l.step) ?? 0)) - mean(steps.map((l) => world.prob(l.item, l.model, l.step)!))) : null,
      lastHalfRequests: steps.length,
    };
  });
  return { offPolicy, rulesArgued };
}
