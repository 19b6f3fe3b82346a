/**
 * How likely the routing policy was to choose what it chose (pure), for judging other
 * policies on the answers it logged (lib/learning/off-policy.ts). Thompson sampling draws one
 * value per eligible model from its posterior, less its cost (a cold load, its failure risk), and takes the largest:
 * the chance that model m wins is E[Π_c F_c(X_m − cost_m + cost_c)] over X_m ~ Beta(α_m, β_m),
 * with F_c the other models' posterior CDFs.
 *
 * The expectation is a fixed rule, so the same arms give the same number every time: where
 * X_m's density is bounded (α, β ≥ 1), Gauss–Legendre quadrature over the range holding all
 * but 1e-9 of its mass, the density normalised over the same nodes; otherwise (a density
 * that grows without bound at 0 or 1) the mean over PROPENSITY_POINTS quantiles of X_m, good
 * to about 1 / PROPENSITY_POINTS. The first takes two quantiles instead of a hundred (about six
 * times cheaper for five models); tests/unit/learning-off-policy.test.ts holds both to a fine
 * numerical integration.
 */
import betaCdf from "@stdlib/stats-base-dists-beta-cdf";
import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";

/** One eligible model as the policy drew it: its posterior (context included) and its cost (a cold load, its failure risk: lib/learning/policy.ts). */
export type DrawnArm = { model: string; alpha: number; beta: number; cost: number };

/** Quantiles of the chosen model's posterior the expectation is taken over, where its density is unbounded. */
export const PROPENSITY_POINTS = 100;

/** Nodes of the Gauss–Legendre rule, where the chosen model's density is bounded. */
const QUADRATURE_NODES = 48;

/** The probability that a draw over `arms` picks `model` (0 when it was not among them). */
export function choiceProbability(arms: readonly DrawnArm[], model: string): number {
  const chosen = arms.find((a) => a.model === model);
  if (!chosen) return 0;
  const others = arms.filter((a) => a !== chosen);
  if (others.length === 0) return 1;
  // P(every other draw is below this one), given the chosen model's draw x.
  const allBelow = (x: number) => {
    let p = 1;
    for (const c of others) p *= betaCdf(x - chosen.cost + c.cost, c.alpha, c.beta);
    return p;
  };
  return chosen.alpha >= 1 && chosen.beta >= 1 ? byQuadrature(chosen, allBelow) : byQuantiles(chosen, allBelow);
}

/** E[g(X)], X ~ Beta(α, β) with α, β ≥ 1: Gauss–Legendre over X's range, the density normalised on the nodes. */
function byQuadrature({ alpha, beta }: DrawnArm, g: (x: number) => number): number {
  const lo = betaQuantile(1e-9, alpha, beta);
  const hi = betaQuantile(1 - 1e-9, alpha, beta);
  if (!(hi > lo)) return g((lo + hi) / 2);
  const half = (hi - lo) / 2;
  const mid = (lo + hi) / 2;
  const logDensity = GAUSS_LEGENDRE.nodes.map((t) => {
    const x = mid + half * t;
    return (alpha - 1) * Math.log(x) + (beta - 1) * Math.log1p(-x);
  });
  const top = Math.max(...logDensity);
  let mass = 0;
  let sum = 0;
  for (let i = 0; i < QUADRATURE_NODES; i++) {
    const w = GAUSS_LEGENDRE.weights[i] * Math.exp(logDensity[i] - top);
    mass += w;
    sum += w * g(mid + half * GAUSS_LEGENDRE.nodes[i]);
  }
  return sum / mass;
}

/** E[g(X)] as the mean of g over PROPENSITY_POINTS evenly spaced quantiles of X (midpoints). */
function byQuantiles({ alpha, beta }: DrawnArm, g: (x: number) => number): number {
  let sum = 0;
  for (let j = 0; j < PROPENSITY_POINTS; j++) sum += g(betaQuantile((j + 0.5) / PROPENSITY_POINTS, alpha, beta));
  return sum / PROPENSITY_POINTS;
}

/** Nodes and weights of the n-point Gauss–Legendre rule on [−1, 1] (Newton's method on the Legendre polynomial's roots). */
function gaussLegendre(n: number): { nodes: number[]; weights: number[] } {
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let i = 1; i <= n; i++) {
    let x = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let dp = 0;
    for (let iter = 0; iter < 100; iter++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
      dp = (n * (x * p1 - p0)) / (x * x - 1);
      const step = p1 / dp;
      x -= step;
      if (Math.abs(step) < 1e-15) break;
    }
    nodes.push(x);
    weights.push(2 / ((1 - x * x) * dp * dp));
  }
  return { nodes, weights };
}

const GAUSS_LEGENDRE = gaussLegendre(QUADRATURE_NODES);
