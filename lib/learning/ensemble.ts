/**
 * The classification ensemble: the trained text classifier ("features"), nearest neighbours
 * over embeddings and the router model each cast a vote (task type + confidence); a vote
 * counts weight × confidence for its task type, or, when the voter gave a calibrated
 * probability for every task type (the classifier), weight × probability for each, so its
 * second choice can agree with another voter. A voter's weight is learned from how often it agreed with the task
 * type an interaction turned out to have (a Beta posterior over agreement, discounted so
 * the weights follow a voter that gets better or worse), and is what that posterior makes
 * sure of: the accuracy the voter has with 90% credibility (its 10% quantile), not its mean.
 * A voter nobody has measured yet is therefore heard but does not decide: the router model
 * starts at Beta(1, 1), whose mean (0.5) let its one confident word overrule a calibrated
 * classifier on most of the requests it was asked about, where its 10% quantile (0.1) breaks
 * near-ties only; tens of confirmed labels on which it is right give it the weight it earns.
 */
import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";
import { TASK_TYPES, type TaskType } from "@/lib/domain";

export { classifyByNeighbours, cosineSimilarity, voteOfNeighbours, type LabelledEmbedding, type NeighbourExample, type NeighbourVote } from "@/lib/learning/neighbours";

export const VOTERS = ["features", "neighbours", "router_model"] as const;
export type VoterName = (typeof VOTERS)[number];

export type Vote = { name: VoterName; taskType: TaskType; confidence: number; weight: number; probabilities?: Readonly<Partial<Record<TaskType, number>>> };

export type EnsembleResult = {
  taskType: TaskType;
  /** the winner's share of all weight, scaled by the voters' confidence: 0..1 */
  confidence: number;
  voters: Vote[];
  scores: Record<TaskType, number>;
};

export function combineVotes(votes: readonly Vote[], fallback: TaskType = "general"): EnsembleResult {
  const scores = Object.fromEntries(TASK_TYPES.map((t) => [t, 0])) as Record<TaskType, number>;
  const usable = votes.filter((v) => v.weight > 0 && v.confidence > 0);
  if (usable.length === 0) return { taskType: fallback, confidence: 0, voters: [...votes], scores };

  let totalWeight = 0;
  for (const v of usable) {
    if (v.probabilities) for (const t of TASK_TYPES) scores[t] += v.weight * clamp01(v.probabilities[t] ?? 0);
    else scores[v.taskType] += v.weight * clamp01(v.confidence);
    totalWeight += v.weight;
  }
  // Highest score wins; a tie goes to the task type of the single strongest vote.
  const strongest = [...usable].sort((a, b) => b.weight * b.confidence - a.weight * a.confidence)[0].taskType;
  let taskType = strongest;
  for (const t of TASK_TYPES) if (scores[t] > scores[taskType]) taskType = t;
  return { taskType, confidence: clamp01(scores[taskType] / totalWeight), voters: [...votes], scores };
}

/** The combined votes as a probability of each task type (all on the winner when no voter scored). */
export function taskProbabilities(r: Pick<EnsembleResult, "taskType" | "scores">): Record<TaskType, number> {
  const total = TASK_TYPES.reduce((s, t) => s + r.scores[t], 0);
  return Object.fromEntries(TASK_TYPES.map((t) => [t, total > 0 ? r.scores[t] / total : t === r.taskType ? 1 : 0])) as Record<TaskType, number>;
}

/** Agreement of each voter with final outcomes, as a Beta posterior. */
export type VoterWeights = Record<VoterName, { alpha: number; beta: number }>;

export const DEFAULT_VOTER_WEIGHTS: VoterWeights = {
  // A calibrated classifier measured at ~94% on its validation split starts trusted (mean
  // 0.8, weight 0.63); confirmed labels move every weight from there.
  features: { alpha: 8, beta: 2 },
  neighbours: { alpha: 3, beta: 2 },
  // The router model's accuracy is unknown until confirmed labels measure it (it depends on
  // the model a roster puts there): it starts with the weakest prior (weight 0.1), so on the
  // requests it is asked about it breaks near-ties but does not overrule a classifier that is
  // fairly sure, and a router that proves right gains weight within tens of labels.
  router_model: { alpha: 1, beta: 1 },
};

/** How sure a weight must be: a voter counts with the accuracy it has at this lower credible bound. */
export const VOTER_WEIGHT_QUANTILE = 0.1;

// The quantile is iterative (~20 µs); weights change only with confirmed labels, so the few recent ones are kept.
const weightCache = new Map<string, number>();

export function voterWeight(weights: VoterWeights, name: VoterName): number {
  const { alpha, beta } = weights[name];
  const key = `${alpha} ${beta}`;
  let w = weightCache.get(key);
  if (w === undefined) {
    if (weightCache.size >= 256) weightCache.clear();
    w = betaQuantile(VOTER_WEIGHT_QUANTILE, alpha, beta);
    weightCache.set(key, w);
  }
  return w;
}

/**
 * After the task type of an interaction is known (a correction, the model that succeeded,
 * an operator's label): every voter that took part gains agreement or disagreement.
 * `discount` (< 1) lets old evidence fade, toward the default prior.
 */
export function updateVoterWeights(
  weights: VoterWeights,
  { votes, outcome }: { votes: readonly Pick<Vote, "name" | "taskType">[]; outcome: TaskType },
  { discount = 0.99 }: { discount?: number } = {},
): VoterWeights {
  const next: VoterWeights = { ...weights };
  for (const v of votes) {
    const prior = DEFAULT_VOTER_WEIGHTS[v.name];
    const cur = next[v.name];
    const agreed = v.taskType === outcome ? 1 : 0;
    next[v.name] = {
      alpha: prior.alpha + discount * (cur.alpha - prior.alpha) + agreed,
      beta: prior.beta + discount * (cur.beta - prior.beta) + (1 - agreed),
    };
  }
  return next;
}

/** Builds the votes from whatever voters answered, with the learned weights. */
export function votesFrom(
  weights: VoterWeights,
  answers: Partial<Record<VoterName, { taskType: TaskType; confidence: number; probabilities?: Vote["probabilities"] } | null>>,
): Vote[] {
  return VOTERS.flatMap((name) => {
    const a = answers[name];
    return a ? [{ name, taskType: a.taskType, confidence: a.confidence, weight: voterWeight(weights, name), ...(a.probabilities ? { probabilities: a.probabilities } : {}) }] : [];
  });
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
