/**
 * What another routing policy would have scored on the answers the learned policy logged
 * (pure): off-policy evaluation by self-normalised importance weighting (SNIPS). Each logged
 * answer records the model the policy chose, the chance it had of choosing it
 * (lib/learning/propensity.ts), the models it could have drawn, and the reward the answer
 * earned. A fixed policy (the role table, one model for everything) is judged on the answers
 * where it would have chosen what was chosen, each weighted by 1 / that chance, so answers the
 * learned policy rarely gives count for the many it did not.
 *
 * An answer whose request the fixed policy would have sent to a model the draw could not pick
 * (ruled out by the exploration bound) says nothing about it: it is left out and counted as
 * unsupported, so the estimate holds for the requests it covers, and says how many those are.
 */

/** One answer the learned policy routed, as logged. */
export interface LoggedChoice {
  /** the model the policy chose */
  model: string;
  /** the chance the policy had of choosing it, in (0, 1] */
  propensity: number;
  /** the models the draw was among */
  eligible: readonly string[];
  /** the answer's reward, in [0, 1] */
  reward: number;
  /** the role table's first available model for the request's task type (null: none) */
  table: string | null;
}

export interface PolicyValue {
  /** estimated mean reward (null: no logged answer it could be judged on) */
  value: number | null;
  /** a 95% interval (delta method) */
  low: number | null;
  high: number | null;
  /** logged answers where it would have chosen what was chosen */
  matched: number;
  /** how many logged answers the weights are worth: (Σw)² / Σw² */
  effectiveN: number;
  /** the share of logged answers whose request it could be judged on (its choice was drawable) */
  support: number;
}

const Z95 = 1.959964;

/** Whether a logged answer can judge a fixed policy that would have chosen `target`: the draw could have picked it. */
export function drawable(row: LoggedChoice, target: string | null): target is string {
  return Boolean(target) && row.eligible.includes(target!) && row.propensity > 0;
}
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** The learned policy itself: the mean reward it earned, with a 95% interval. */
export function onPolicyValue(rows: readonly LoggedChoice[]): PolicyValue {
  const n = rows.length;
  if (n === 0) return { value: null, low: null, high: null, matched: 0, effectiveN: 0, support: 0 };
  const mean = rows.reduce((s, r) => s + r.reward, 0) / n;
  const variance = n > 1 ? rows.reduce((s, r) => s + (r.reward - mean) ** 2, 0) / (n - 1) : 0.25;
  const half = Z95 * Math.sqrt(variance / n);
  return { value: mean, low: clamp01(mean - half), high: clamp01(mean + half), matched: n, effectiveN: n, support: 1 };
}

/** A fixed policy (`choose` gives its model for a logged request, null: none) judged on the logged answers. */
export function offPolicyValue<T extends LoggedChoice>(rows: readonly T[], choose: (row: T) => string | null): PolicyValue {
  let supported = 0;
  let sw = 0;
  let swr = 0;
  let matched = 0;
  const weighted: { w: number; r: number }[] = [];
  for (const row of rows) {
    const target = choose(row);
    if (!drawable(row, target)) continue;
    supported++;
    if (target !== row.model) continue;
    const w = 1 / row.propensity;
    matched++;
    sw += w;
    swr += w * row.reward;
    weighted.push({ w, r: row.reward });
  }
  const support = rows.length ? supported / rows.length : 0;
  if (sw === 0) return { value: null, low: null, high: null, matched: 0, effectiveN: 0, support };
  const value = swr / sw;
  const sw2 = weighted.reduce((s, x) => s + x.w * x.w, 0);
  // Delta-method variance of a ratio estimator: Σ w² (r − v)² / (Σ w)².
  const variance = weighted.reduce((s, x) => s + x.w * x.w * (x.r - value) ** 2, 0) / (sw * sw);
  const effectiveN = (sw * sw) / sw2;
  // Never narrower than a handful of answers can say: a floor from the rate itself, plus a quarter for the unseen.
  const half = Z95 * Math.sqrt(Math.max(variance, (value * (1 - value) + 0.25 / effectiveN) / effectiveN));
  return { value, low: clamp01(value - half), high: clamp01(value + half), matched, effectiveN, support };
}

/** How much more a fixed policy would have earned than the learned one, on the requests it can be judged on. */
export interface PolicyGain {
  /** the fixed policy's estimate − the learned policy's mean reward, over the same requests */
  gain: number;
  /** a 95% interval (delta method, paired: the same answers judge both) */
  low: number;
  high: number;
  /** the learned policy's mean reward over those requests */
  learned: number;
  /** the fixed policy's estimate and how it was judged (as offPolicyValue gives it) */
  fixed: PolicyValue;
}

/**
 * The fixed policy (`choose`) against the learned one on the requests where its choice was
 * drawable (null when it has no matched answer). Paired: both are read from the same answers,
 * so the interval is that of the difference, narrower than the two intervals side by side.
 */
export function offPolicyGain<T extends LoggedChoice>(rows: readonly T[], choose: (row: T) => string | null): PolicyGain | null {
  const fixed = offPolicyValue(rows, choose);
  if (fixed.value === null) return null;
  const supported = rows.filter((r) => drawable(r, choose(r)));
  const n = supported.length;
  const learned = supported.reduce((s, r) => s + r.reward, 0) / n;
  const weights = supported.map((r) => (choose(r) === r.model ? 1 / r.propensity : 0));
  const meanWeight = weights.reduce((s, w) => s + w, 0) / n;
  // Each answer's influence on the difference: its weighted residual for the fixed policy, less its residual for the learned one.
  let sum2 = 0;
  supported.forEach((r, i) => {
    const d = (weights[i] * (r.reward - fixed.value!)) / meanWeight - (r.reward - learned);
    sum2 += d * d;
  });
  const gain = fixed.value - learned;
  const half = Z95 * Math.sqrt(sum2) / n;
  return { gain, low: gain - half, high: gain + half, learned, fixed };
}
