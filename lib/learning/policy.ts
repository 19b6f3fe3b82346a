/**
 * The routing policy: Thompson sampling over Beta posteriors per (task type, model), each a
 * prior plus discounted evidence, plus the evidence of the nearest past requests.
 *
 * - prior: the model's role prior for the task type (DESIGN.md's role table, strength 5, so
 *   a few dozen outcomes overtake it). A model without a role starts neutral, Beta(1, 1),
 *   plus what it showed on the other task types, as strongly as its task types turn out to
 *   agree (empirical Bayes, see priorFor): an unknown model that is good everywhere is tried
 *   first everywhere.
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
 * - failure risk: a model predicted to fail to answer this request a fraction r of the time
 *   (lib/learning/failure-model.ts: errors, time-outs, broken streams, which the posteriors do
 *   not count) delivers about (1 − r) of its quality, so r × its posterior mean is subtracted
 *   too. The prediction forgets old failures: when a model answers again, it is back.
 */
import betaCdf from "@stdlib/stats-base-dists-beta-cdf";
import { rolePrior, type Role, type TaskType } from "@/lib/domain";
import { betaMean, type BetaParams } from "./beta";
import { addEvidence, dropEvidence, posteriorOf, shiftEvidence, type ArmEvidence } from "./evidence";
import type { DrawnArm } from "./propensity";
import { sampleBeta, type Rng } from "./random";

export type PolicyState = Readonly<Partial<Record<TaskType, Readonly<Record<string, ArmEvidence>>>>>;

export const EMPTY_POLICY: PolicyState = {};

/**
 * A model that may answer; `role` null: no role (its prior is neutral, pooled across task
 * types). `failureRisk`: the predicted probability that it fails to answer this request at all
 * (absent: none known).
 */
export type PolicyCandidate = { model: string; role: Role | null; loaded: boolean; available: boolean; failureRisk?: number };

/** Per-request evidence for a model: summed (similarity-weighted) rewards of the nearest past requests it answered. */
export type ContextEvidence = Readonly<Record<string, { successes: number; failures: number }>>;

export type PolicyOptions = {
  /** per-update decay of an arm's evidence toward its prior, in (0, 1] */
  discount: number;
  coldLoadCost: number;
  /** a model is explored only while this upper quantile of its posterior reaches the best mean */
  exploreQuantile: number;
  /** at most how many pseudo-outcomes from its other task types a role-less model's prior carries */
  poolStrength: number;
  /** optional: evidence also halves every this many ms without an update */
  halfLifeMs?: number;
};

export const DEFAULT_POLICY_OPTIONS: PolicyOptions = { discount: 0.999, coldLoadCost: 0.05, exploreQuantile: 0.9, poolStrength: 50 };

export type PolicyChoice = {
  model: string;
  /** the greedy choice: highest posterior mean (less the cold-load cost) */
  greedy: string;
  /** true when the chosen model is not the greedy one */
  explored: boolean;
  samples: Record<string, number>;
  means: Record<string, number>;
  /** the models the draw was among, as drawn: what the chance of this choice is computed from (lib/learning/propensity.ts) */
  arms: DrawnArm[];
};

const NEUTRAL: BetaParams = { alpha: 1, beta: 1 };

/**
 * The prior of (task type, model): its role's, or (a model without a role) neutral plus what
 * it showed on the other task types, pooled with an empirical-Bayes strength: the model's
 * success rates across task types give a between-task-type variance τ² (method of moments,
 * binomial noise removed), and a Beta prior with that spread has strength p̄(1 − p̄)/τ² − 1.
 * When a model does about as well everywhere, its other task types tell a lot about this
 * one; when it is uneven, little. At most `poolStrength` pseudo-outcomes, never more than
 * were observed.
 */
export function priorFor(taskType: TaskType, c: Pick<PolicyCandidate, "model" | "role">, state: PolicyState, now: number, halfLifeMs?: number, poolStrength = DEFAULT_POLICY_OPTIONS.poolStrength): BetaParams {
  if (c.role) return rolePrior(taskType, c.role);
  let a = 0;
  let b = 0;
  const rates: { n: number; p: number }[] = [];
  for (const [t, arms] of Object.entries(state)) {
    if (!arms?.[c.model]) continue;
    const e = posteriorOf({ alpha: 0, beta: 0 }, arms[c.model], now, halfLifeMs);
    const n = e.alpha + e.beta;
    if (n > 0) rates.push({ n, p: e.alpha / n });
    if (t === taskType) continue;
    a += e.alpha;
    b += e.beta;
  }
  const base = fieldPrior(state[taskType], now, halfLifeMs);
  if (a + b === 0) return base;
  const strength = Math.min(a + b, pooledStrength(rates, poolStrength));
  const mean = a / (a + b);
  return { alpha: base.alpha + strength * mean, beta: base.beta + strength * (1 - mean) };
}

/**
 * Where a model nobody knows starts on a task type: as likely to answer well as the models
 * tried on it so far, all together (Laplace-smoothed), with the weight of two outcomes. Not
 * 0.5: on hard task types that would make every newcomer look better than the field.
 */
function fieldPrior(arms: Readonly<Record<string, ArmEvidence>> | undefined, now: number, halfLifeMs?: number): BetaParams {
  let a = 0;
  let n = 0;
  for (const e of Object.values(arms ?? {})) {
    const p = posteriorOf({ alpha: 0, beta: 0 }, e, now, halfLifeMs);
    a += p.alpha;
    n += p.alpha + p.beta;
  }
  const mean = (a + NEUTRAL.alpha) / (n + NEUTRAL.alpha + NEUTRAL.beta);
  const weight = NEUTRAL.alpha + NEUTRAL.beta;
  return { alpha: weight * mean, beta: weight * (1 - mean) };
}

/** Empirical-Bayes Beta strength from per-group rates (n outcomes, rate p): p̄(1 − p̄)/τ² − 1, in [1, max]. */
export function pooledStrength(groups: readonly { n: number; p: number }[], max: number): number {
  const total = groups.reduce((s, g) => s + g.n, 0);
  if (groups.length < 2 || total === 0) return max;
  const mean = groups.reduce((s, g) => s + g.n * g.p, 0) / total;
  const spread = groups.reduce((s, g) => s + g.n * (g.p - mean) ** 2, 0);
  const noise = (groups.length - 1) * mean * (1 - mean);
  const denom = total - groups.reduce((s, g) => s + g.n * g.n, 0) / total;
  const tau2 = denom > 0 ? Math.max(0, (spread - noise) / denom) : 0;
  if (tau2 === 0) return max;
  return Math.min(max, Math.max(1, (mean * (1 - mean)) / tau2 - 1));
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
  const taskPosts = new Map<string, BetaParams>();
  const means: Record<string, number> = {};
  // What choosing the model costs besides its quality: a cold load, and the quality lost when it fails to answer.
  const cost = (c: PolicyCandidate) => (c.loaded ? 0 : options.coldLoadCost) + (c.failureRisk ?? 0) * means[c.model];
  for (const c of usable) {
    const task = posteriorOf(priorFor(taskType, c, state, now, options.halfLifeMs, options.poolStrength), arms[c.model], now, options.halfLifeMs);
    taskPosts.set(c.model, task);
    const ctx = context?.[c.model];
    const post = ctx ? { alpha: task.alpha + ctx.successes, beta: task.beta + ctx.failures } : task;
    posts.set(c.model, post);
    means[c.model] = betaMean(post);
  }

  const argmax = (list: readonly PolicyCandidate[], score: (c: PolicyCandidate) => number) => list.reduce((best, c) => (score(c) > score(best) ? c : best));
  const greedy = argmax(usable, (c) => means[c.model] - cost(c));
  // Only a model that could plausibly beat the best is worth a user's request, judged by the
  // task type's evidence alone: a few neighbours' outcomes reorder the plausible models for
  // this request, they do not make an implausible one worth trying.
  const taskMean = (c: PolicyCandidate) => betaMean(taskPosts.get(c.model)!);
  const bestTaskMean = taskMean(argmax(usable, (c) => taskMean(c) - cost(c)));
  // "Its upper quantile reaches the best mean" read the cheap way round: the posterior puts at
  // most that much probability below the best mean (the CDF, not its iterative inverse).
  const eligible = usable.filter(
    (c) => c.model === greedy.model || taskMean(c) >= bestTaskMean || betaCdf(bestTaskMean, taskPosts.get(c.model)!.alpha, taskPosts.get(c.model)!.beta) <= options.exploreQuantile,
  );
  const samples: Record<string, number> = {};
  for (const c of eligible) samples[c.model] = sampleBeta(rng, posts.get(c.model)!.alpha, posts.get(c.model)!.beta) - cost(c);
  const model = argmax(eligible, (c) => samples[c.model]).model;
  const drawn = eligible.map((c) => ({ model: c.model, alpha: posts.get(c.model)!.alpha, beta: posts.get(c.model)!.beta, cost: cost(c) }));
  return { model, greedy: greedy.model, explored: model !== greedy.model, samples, means, arms: drawn };
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

/** An outcome already recorded for (taskType, model) changed its reward from `from` to `to` (a verdict replacing the automatic reward): a new state, the answer still counted once. */
export function correctPolicy(state: PolicyState, { taskType, model, from, to, now }: { taskType: TaskType; model: string; from: number; to: number; now: number }): PolicyState {
  const arms = state[taskType] ?? {};
  return { ...state, [taskType]: { ...arms, [model]: shiftEvidence(arms[model], to - from, now) } };
}

/** An outcome recorded for (taskType, model) with reward `reward` taken out again (the answer moved to another task type): a new state. */
export function dropPolicy(state: PolicyState, { taskType, model, reward, now }: { taskType: TaskType; model: string; reward: number; now: number }): PolicyState {
  const arms = state[taskType] ?? {};
  return { ...state, [taskType]: { ...arms, [model]: dropEvidence(arms[model], reward, now) } };
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
