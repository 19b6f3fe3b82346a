/**
 * The routing policy: Thompson sampling over Beta posteriors per (task type, model), each a
 * prior plus discounted evidence, plus the evidence of the nearest past requests.
 *
 * - prior: the model's role prior for the task type (DESIGN.md's role table, strength 5, so
 *   a few dozen outcomes overtake it). A model without a role starts neutral, Beta(1, 1),
 *   plus what it showed on the other task types (at most `poolStrength` pseudo-outcomes):
 *   an unknown model that is good everywhere is tried first everywhere.
 * - discount: every update of an arm decays its old evidence first, so a model that gets
 *   worse is noticed; slow enough that posteriors settle and exploration ends.
 * - context: per-request evidence (the observed rewards of the nearest past requests, per
 *   model) is added on top, so two requests of one task type can go to different models when
 *   the evidence says so.
 * - exploration relative to uncertainty: a model is drawn only while it could plausibly be
 *   the best, i.e. its `exploreQuantile` upper credible bound reaches the best posterior
 *   mean. No fixed gap: as evidence accumulates, the bounds narrow and exploration stops.
 * - coldLoadCost: subtracted from the sample (and the greedy score) of a model that is not
 *   loaded (not in /api/ps): a tie goes to the loaded model.
 */
import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";
import { rolePrior, type Role, type TaskType } from "@/lib/domain";
import { betaMean, type BetaParams } from "./beta";
import { addEvidence, posteriorOf, type ArmEvidence } from "./evidence";
import { sampleBeta, type Rng } from "./random";

export type PolicyState = Readonly<Partial<Record<TaskType, Readonly<Record<string, ArmEvidence>>>>>;

export const EMPTY_POLICY: PolicyState = {};

/** A model that may answer; `role` null: no role (its prior is neutral, pooled across task types). */
export type PolicyCandidate = { model: string; role: Role | null; loaded: boolean; available: boolean };

/** Per-request evidence for a model: summed (similarity-weighted) rewards of the nearest past requests it answered. */
export type ContextEvidence = Readonly<Record<string, { successes: number; failures: number }>>;

export type PolicyOptions = {
  /** per-update decay of an arm's evidence toward its prior, in (0, 1] */
  discount: number;
  coldLoadCost: number;
  /** a model is explored only while this upper quantile of its posterior reaches the best mean */
  exploreQuantile: number;
  /** how many pseudo-outcomes from its other task types a role-less model's prior may carry */
  poolStrength: number;
  /** optional: evidence also halves every this many ms without an update */
  halfLifeMs?: number;
};

export const DEFAULT_POLICY_OPTIONS: PolicyOptions = { discount: 0.99, coldLoadCost: 0.05, exploreQuantile: 0.9, poolStrength: 4 };

export type PolicyChoice = {
  model: string;
  /** the greedy choice: highest posterior mean (less the cold-load cost) */
  greedy: string;
  /** true when the chosen model is not the greedy one */
  explored: boolean;
  samples: Record<string, number>;
  means: Record<string, number>;
};

const NEUTRAL: BetaParams = { alpha: 1, beta: 1 };

/** The prior of (task type, model): its role's, or neutral plus its pooled evidence on the other task types. */
export function priorFor(taskType: TaskType, c: Pick<PolicyCandidate, "model" | "role">, state: PolicyState, now: number, halfLifeMs?: number, poolStrength = DEFAULT_POLICY_OPTIONS.poolStrength): BetaParams {
  if (c.role) return rolePrior(taskType, c.role);
  let a = 0;
  let b = 0;
  for (const [t, arms] of Object.entries(state)) {
    if (t === taskType || !arms?.[c.model]) continue;
    const p = posteriorOf({ alpha: 0, beta: 0 }, arms[c.model], now, halfLifeMs);
    a += p.alpha;
    b += p.beta;
  }
  const scale = a + b > poolStrength ? poolStrength / (a + b) : 1;
  return { alpha: NEUTRAL.alpha + a * scale, beta: NEUTRAL.beta + b * scale };
}

export function choosePolicy({
  taskType,
  candidates,
  state,
  context,
  rng,
  now,
  options = DEFAULT_POLICY_OPTIONS,
}: {
  taskType: TaskType;
  candidates: readonly PolicyCandidate[];
  state: PolicyState;
  context?: ContextEvidence;
  rng: Rng;
  now: number;
  options?: PolicyOptions;
}): PolicyChoice | null {
  const usable = candidates.filter((c) => c.available);
  if (usable.length === 0) return null;

  const arms = state[taskType] ?? {};
  const posts = new Map<string, BetaParams>();
  const means: Record<string, number> = {};
  const cost = (c: PolicyCandidate) => (c.loaded ? 0 : options.coldLoadCost);
  for (const c of usable) {
    const post = posteriorOf(priorFor(taskType, c, state, now, options.halfLifeMs, options.poolStrength), arms[c.model], now, options.halfLifeMs);
    const ctx = context?.[c.model];
    if (ctx) {
      post.alpha += ctx.successes;
      post.beta += ctx.failures;
    }
    posts.set(c.model, post);
    means[c.model] = betaMean(post);
  }

  const argmax = (list: readonly PolicyCandidate[], score: (c: PolicyCandidate) => number) => list.reduce((best, c) => (score(c) > score(best) ? c : best));
  const greedy = argmax(usable, (c) => means[c.model] - cost(c));
  const bestMean = means[greedy.model];
  // Only a model that could plausibly beat the best is worth a user's request.
  const eligible = usable.filter((c) => means[c.model] >= bestMean || betaQuantile(options.exploreQuantile, posts.get(c.model)!.alpha, posts.get(c.model)!.beta) >= bestMean);
  const samples: Record<string, number> = {};
  for (const c of eligible) samples[c.model] = sampleBeta(rng, posts.get(c.model)!.alpha, posts.get(c.model)!.beta) - cost(c);
  const model = argmax(eligible, (c) => samples[c.model]).model;
  return { model, greedy: greedy.model, explored: model !== greedy.model, samples, means };
}

/** Records one outcome (reward in [0, 1]) for (taskType, model); returns a new state. */
export function updatePolicy(
  state: PolicyState,
  { taskType, model, reward, now }: { taskType: TaskType; model: string; reward: number; now: number },
  { discount }: Pick<PolicyOptions, "discount"> = DEFAULT_POLICY_OPTIONS,
): PolicyState {
  const arms = state[taskType] ?? {};
  return { ...state, [taskType]: { ...arms, [model]: addEvidence(arms[model], reward, discount, now) } };
}

/** Posterior mean of every candidate for a task type (for dashboards and the static comparison). */
export function policyMeans(
  taskType: TaskType,
  candidates: readonly Pick<PolicyCandidate, "model" | "role">[],
  state: PolicyState,
  now: number,
  halfLifeMs?: number,
): Record<string, number> {
  const arms = state[taskType] ?? {};
  return Object.fromEntries(
    candidates.map((c) => [c.model, betaMean(posteriorOf(priorFor(taskType, c, state, now, halfLifeMs), arms[c.model], now, halfLifeMs))]),
  );
}
