/**
 * Routing rules the learned policy's own log argues for: on the answers it routed for a task
 * type, a model that would have earned more than the policy did, judged from the chance the
 * policy had of each choice (lib/learning/off-policy.ts, paired: the same answers judge both).
 * Proposed only when the whole 95% interval of the difference is above zero, the model was
 * drawable for most of those requests, and its weights are worth enough answers. An operator
 * approves it, or A/B tests it first; it can be rolled back like any other change.
 *
 * Checked on the replays (bench/routing/log-checks.ts, 48 seeds each): 25 rules argued over
 * the three sets, truly worth +0.9 to +1.4 points on their task type's requests over the last
 * half where +2.2 to +5.8 were estimated (the best of several, and learned routing's mean
 * still carries some of its exploring); 3 of the 25 were truly worse than learned routing.
 */
import { isTaskType, type TaskType } from "@/lib/domain";
import type { RoutedAnswerRow } from "@/lib/db/queries/routed-answers";
import { offPolicyGain, type LoggedChoice, type PolicyGain } from "./off-policy";
import { fingerprintOf } from "./proposal-fingerprint";
import type { ProposedChange } from "./proposals";
import type { Candidate } from "./proposal-candidates";
import { MIN_EFFECTIVE_ANSWERS } from "./routed-log";
import { rnd } from "./analysis-stats";

/** Rules are argued for from the newest this many answers the learned policy routed. */
export const ROUTED_FOR_RULES = 5000;
/** Routed answers of one task type before the log may argue for a rule. */
export const MIN_ROUTED_FOR_RULE = 50;
/** The share of those requests the model must have been drawable for. */
export const MIN_SUPPORT_FOR_RULE = 0.8;

const pct = (x: number) => `${Math.round(x * 100)}%`;
const points = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}`;

export function routingValueCandidates(logged: readonly (LoggedChoice & { row: RoutedAnswerRow })[]): Candidate[] {
  const byType = new Map<TaskType, (LoggedChoice & { row: RoutedAnswerRow })[]>();
  // Oldest first to the millisecond (the driver gives a Date: Date.parse of one keeps whole
  // seconds only, which made "the newer half" depend on how fast the answers came); answers
  // of one millisecond in the reverse of the log's order, which lists the newest first.
  const at = (l: { row: RoutedAnswerRow }) => new Date(l.row.created_at).getTime();
  const oldestFirst = logged.map((l, i) => ({ l, i })).sort((a, b) => at(a.l) - at(b.l) || b.i - a.i).map((x) => x.l);
  for (const l of oldestFirst) {
    if (!isTaskType(l.row.task_type)) continue;
    const list = byType.get(l.row.task_type) ?? [];
    list.push(l);
    byType.set(l.row.task_type, list);
  }
  const out: Candidate[] = [];
  for (const [taskType, all] of byType) {
    // The newer half: what learned routing gets now, not while it was still finding its way.
    const rows = all.slice(-Math.ceil(all.length / 2));
    if (rows.length < MIN_ROUTED_FOR_RULE) continue;
    let best: { model: string; gain: PolicyGain } | null = null;
    for (const model of new Set(rows.flatMap((r) => r.eligible))) {
      const gain = offPolicyGain(rows, () => model);
      if (!gain || gain.fixed.effectiveN < MIN_EFFECTIVE_ANSWERS || gain.fixed.support < MIN_SUPPORT_FOR_RULE || gain.low <= 0) continue;
      if (!best || gain.low > best.gain.low) best = { model, gain };
    }
    if (!best) continue;
    const { model, gain } = best;
    const matched = rows.filter((r) => r.model === model);
    const what = taskType.replace(/_/g, " ");
    const change: ProposedChange = { type: "prefer_model", taskType, model };
    out.push({
      change,
      fingerprint: fingerprintOf(change),
      title: `Route ${what} requests to ${model} first: it would have answered them better than learned routing did`,
      description:
        `On the last ${rows.length} ${what} answers the learned routing gave, ${model} would have succeeded ${pct(gain.fixed.value!)} of the time ` +
        `(95%: ${pct(gain.fixed.low!)}–${pct(gain.fixed.high!)}), against ${pct(gain.learned)} for what was routed on the same requests: ` +
        `${points(gain.gain)} points (95%: ${points(gain.low)} to ${points(gain.high)}). Estimated from the chance the routing had of each choice; ` +
        `${model} was drawable for ${pct(gain.fixed.support)} of those requests. It is the best of several models judged this way, so the figure leans high: an A/B test settles it.`,
      model,
      taskType,
      evidence: {
        // The answers the model gave support it; a rejected rule comes back with as many new ones.
        count: matched.length,
        answers: rows.length,
        effectSize: { difference: rnd(gain.gain), interval: { lower: rnd(gain.low), upper: rnd(gain.high) }, of: `success had ${model} answered every such request − what learned routing got, on the same requests` },
        offPolicy: {
          model,
          estimate: rnd(gain.fixed.value!),
          interval: { lower: rnd(gain.fixed.low!), upper: rnd(gain.fixed.high!) },
          learned: rnd(gain.learned),
          gain: { value: rnd(gain.gain), lower: rnd(gain.low), upper: rnd(gain.high) },
          support: rnd(gain.fixed.support),
          effectiveAnswers: rnd(gain.fixed.effectiveN),
          matched: gain.fixed.matched,
        },
        examples: matched.slice(0, 5).map((r) => r.row.id),
      },
      expected: { metric: `success rate of ${what} requests`, from: rnd(gain.learned), toward: rnd(gain.fixed.value!) },
      risk: "medium",
      support: matched.map((r) => ({ id: r.row.id, at: new Date(r.row.created_at) })),
    });
  }
  return out;
}
