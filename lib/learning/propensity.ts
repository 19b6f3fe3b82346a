/**
 * How likely the routing policy was to choose what it chose (pure), for judging other
 * policies on the answers it logged (lib/learning/off-policy.ts). Thompson sampling draws one
 * value per eligible model from its posterior, less its cold-load cost, and takes the largest:
 * the chance that model m wins is E[Π_c F_c(X_m − cost_m + cost_c)] over X_m ~ Beta(α_m, β_m),
 * with F_c the other models' posterior CDFs. Computed on a fixed grid of X_m's quantiles: the
 * same arms give the same number every time, to about 1 / PROPENSITY_POINTS.
 */
import betaCdf from "@stdlib/stats-base-dists-beta-cdf";
import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";

/** One eligible model as the policy drew it: its posterior (context included) and its cold-load cost. */
export type DrawnArm = { model: string; alpha: number; beta: number; cost: number };

/** Quantiles of the chosen model's posterior the expectation is taken over. */
export const PROPENSITY_POINTS = 100;

/** The probability that a draw over `arms` picks `model` (0 when it was not among them). */
export function choiceProbability(arms: readonly DrawnArm[], model: string, points = PROPENSITY_POINTS): number {
  const chosen = arms.find((a) => a.model === model);
  if (!chosen) return 0;
  const others = arms.filter((a) => a !== chosen);
  if (others.length === 0) return 1;
  let sum = 0;
  for (let j = 0; j < points; j++) {
    const x = betaQuantile((j + 0.5) / points, chosen.alpha, chosen.beta) - chosen.cost;
    let p = 1;
    for (const c of others) p *= betaCdf(x + c.cost, c.alpha, c.beta);
    sum += p;
  }
  return sum / points;
}
