/**
 * The routing policy: Thompson sampling over Beta posteriors per (task type, model), each the
 * model's role prior plus discounted evidence.
 *
 * - discount: every update of an arm decays its old evidence first, so a model that gets
 *   worse is noticed within a few dozen requests of its task type.
 * - coldLoadCost: subtracted from the sample (and the greedy score) of a model that is not
 *   loaded (not in /api/ps): a tie goes to the loaded model.
 * - maxExploreGap: bounded exploration. A model whose posterior mean is more than this below
 *   the best mean is never picked, so users rarely get a clearly worse model.
 */
import { rolePrior, type Role, type TaskType } from "@/lib/domain";
import { betaMean } from "./beta";
import { addEvidence, posteriorOf, type ArmEvidence } from "./evidence";
import { sampleBeta, type Rng } from "./random";

export type PolicyState = Readonly<Partial<Record<TaskType, Readonly<Record<string, ArmEvidence>>>>>;

export const EMPTY_POLICY: PolicyState = {};

export type PolicyCandidate = { model: string; role: Role; loaded: boolean; available: boolean };

export type PolicyOptions = {
  /** per-update decay of an arm's evidence toward its prior, in (0, 1] */
  discount: number;
  coldLoadCost: number;
  maxExploreGap: number;
  /** optional: evidence also halves every this many ms without an update */
  halfLifeMs?: number;
};

export const DEFAULT_POLICY_OPTIONS: PolicyOptions = { discount: 0.98, coldLoadCost: 0.05, maxExploreGap: 0.15 };

export type PolicyChoice = {
  model: string;
  /** the greedy choice: highest posterior mean (less the cold-load cost) */
  greedy: string;
  /** true when the chosen model is not the greedy one */
  explored: boolean;
  samples: Record<string, number>;
  means: Record<string, number>;
};

export function choosePolicy({
  taskType,
  candidates,
  state,
  rng,
  now,
  options = DEFAULT_POLICY_OPTIONS,
}: {
  taskType: TaskType;
  candidates: readonly PolicyCandidate[];
  state: PolicyState;
  rng: Rng;
  now: number;
  options?: PolicyOptions;
}): PolicyChoice | null {
  const usable = candidates.filter((c) => c.available);
  if (usable.length === 0) return null;

  const arms = state[taskType] ?? {};
  const means: Record<string, number> = {};
  const samples: Record<string, number> = {};
  const cost = (c: PolicyCandidate) => (c.loaded ? 0 : options.coldLoadCost);
  for (const c of usable) {
    const post = posteriorOf(rolePrior(taskType, c.role), arms[c.model], now, options.halfLifeMs);
    means[c.model] = betaMean(post);
    samples[c.model] = sampleBeta(rng, post.alpha, post.beta) - cost(c);
  }

  const bestMean = Math.max(...usable.map((c) => means[c.model]));
  const eligible = usable.filter((c) => means[c.model] >= bestMean - options.maxExploreGap);
  const argmax = (list: readonly PolicyCandidate[], score: (c: PolicyCandidate) => number) =>
    list.reduce((best, c) => (score(c) > score(best) ? c : best));

  const greedy = argmax(usable, (c) => means[c.model] - cost(c)).model;
  const model = argmax(eligible, (c) => samples[c.model]).model;
  return { model, greedy, explored: model !== greedy, samples, means };
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
    candidates.map((c) => [c.model, betaMean(posteriorOf(rolePrior(taskType, c.role), arms[c.model], now, halfLifeMs))]),
  );
}
