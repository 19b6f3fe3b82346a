/**
 * The replay's router: the state the production code learns (routing posteriors, voter
 * weights, past requests with their outcomes, the models a host keeps loaded) and one decision
 * or one outcome at a time, through the production functions (the trained task classifier,
 * combineVotes, decideRoute, updatePolicy, updateVoterWeights).
 */
import { type Role, type TaskType } from "../../lib/domain";
import { taskClassifier } from "../../lib/learning/shipped-task-classifier";
import { DEFAULT_VOTER_WEIGHTS, combineVotes, updateVoterWeights, votesFrom, type Vote, type VoterWeights } from "../../lib/learning/ensemble";
import { DEFAULT_POLICY_OPTIONS, EMPTY_POLICY, updatePolicy, type PolicyCandidate, type PolicyOptions, type PolicyState } from "../../lib/learning/policy";
import { decideRoute } from "../../lib/learning/route-decision";
import { contextEvidence } from "../../lib/learning/context-evidence";
import { EMPTY_FALLBACK_STATS } from "../../lib/learning/fallback";
import { seededRng, type Rng } from "../../lib/learning/random";
import { observeAttempt, predictFrom, type ModelFailures } from "../../lib/learning/failure-model";
import { estimateTokens } from "../../lib/ollama/tokens";
import type { DrawnArm } from "../../lib/learning/propensity";
import { NeighbourIndex, type NeighbourIndexOptions } from "./neighbour-index";

// ---------------------------------------------------------------------------------------
// A model without a role gets none: choosePolicy gives it a neutral prior pooled across task types.

export function policyCandidate(model: string, role: Role | null, loaded: boolean): PolicyCandidate {
  return { model, role, loaded, available: true };
}

// ---------------------------------------------------------------------------------------
// The router: the state the real code learns, and one decision / one outcome at a time.

export type RouterSettings = {
  policy: PolicyOptions;
  /** models the simulated host keeps loaded (LRU); the rest pay choosePolicy's cold-load cost */
  loadedSlots: number;
  neighbours: NeighbourIndexOptions;
  k: number;
  /** neighbour example weight after a failed outcome (a success weighs 1; production: rating / 5) */
  failureWeight: number;
  voterDiscount: number;
  /** share of answers whose user confirms the task type ("wrong task type?" or a good rating nobody disputes) */
  confirmRate: number;
  /** neighbours whose outcomes inform the policy per request (contextual routing); 0: none */
  contextK: number;
  /** time between requests, for what ages in time (a failure prediction's recent failures) */
  msPerRequest: number;
  /** count a failure to serve as a failed answer in the posterior, as routing did before lib/domain/attempt-failure.ts (for comparison only) */
  servingFailuresAsAnswers?: boolean;
};

export const DEFAULT_ROUTER_SETTINGS: RouterSettings = {
  policy: DEFAULT_POLICY_OPTIONS,
  loadedSlots: 2,
  neighbours: { bruteForceBelow: 512 },
  k: 7,
  failureWeight: 0.2,
  voterDiscount: 0.99,
  confirmRate: 0.1,
  contextK: 20,
  msPerRequest: 60_000,
};

export type Decision = { taskType: TaskType; confidence: number; votes: Vote[]; model: string; explored: boolean; decisionMs: number; drawn: DrawnArm[]; order: string[]; promptTokens: number };

export class ReplayRouter {
  policy: PolicyState = EMPTY_POLICY;
  voters: VoterWeights = DEFAULT_VOTER_WEIGHTS;
  /** each model's failure prediction (lib/learning/failure-model.ts), as production keeps it */
  readonly failures = new Map<string, ModelFailures>();
  readonly index: NeighbourIndex;
  private readonly lru: string[] = [];
  private readonly rng: Rng;
  coldLoads = 0;

  constructor(
    private readonly roles: Record<string, Role | null>,
    readonly settings: RouterSettings,
    seed: number,
  ) {
    this.index = new NeighbourIndex(settings.neighbours);
    this.rng = seededRng(seed * 31 + 1);
  }

  /** Classification + routing for one prompt (its embedding already fetched: that is a model call). */
  decide(prompt: string, embedding: readonly number[], available: readonly string[], now: number): Decision {
    const t0 = performance.now();
    const features = taskClassifier().classify(prompt);
    const near = this.index.voteAndOutcomes(embedding, { k: this.settings.k, kOutcomes: this.settings.contextK });
    const neighbours = near.vote;
    const votes = votesFrom(this.voters, { features, neighbours });
    const combined = combineVotes(votes);
    const loaded = new Set(this.lru);
    const promptTokens = estimateTokens(prompt);
    const risk = (m: string) => predictFrom(this.failures.get(m), { taskType: combined.taskType, promptTokens, cold: !loaded.has(m) }, this.ms(now)).p;
    const candidates = available.map((m) => ({ ...policyCandidate(m, this.roles[m] ?? null, loaded.has(m)), failureRisk: risk(m) }));
    const context = this.settings.contextK > 0 ? contextEvidence(near.outcomes) : undefined;
    const route = decideRoute({
      taskType: combined.taskType,
      candidates,
      context,
      policy: this.policy,
      fallback: EMPTY_FALLBACK_STATS,
      priorsChain: [],
      rng: this.rng,
      now,
      options: this.settings.policy,
    });
    const decisionMs = performance.now() - t0;
    if (!route.primary) throw new Error("no available model");
    return { taskType: combined.taskType, confidence: combined.confidence, votes, model: route.primary, explored: route.explored, decisionMs, drawn: route.drawn ?? [], order: route.order, promptTokens };
  }

  private ms(step: number): number {
    return step * this.settings.msPerRequest;
  }

  /** `model` was asked and could not be served (lib/domain/attempt-failure.ts): the failure prediction learns it, the posterior does not. */
  notServed(d: Pick<Decision, "taskType" | "promptTokens">, model: string, now: number): void {
    this.failures.set(model, observeAttempt(this.failures.get(model), { taskType: d.taskType, promptTokens: d.promptTokens, cold: !this.lru.includes(model) }, true, this.ms(now)));
    if (this.settings.servingFailuresAsAnswers) this.policy = updatePolicy(this.policy, { taskType: d.taskType, model, reward: 0, now }, this.settings.policy);
  }

  /**
   * The outcome becomes the feedback: posterior, failure prediction (it was served), neighbour
   * index (with the outcome, for contextual routing), loaded models. `answeredBy`: the model
   * that answered, when the first could not be served. Only a confirmed task type
   * (`confirmed`, as a user states it) teaches the voters and labels a neighbour; the router's
   * own guess never does.
   */
  learn(d: Pick<Decision, "taskType" | "votes" | "model" | "promptTokens">, embedding: ArrayLike<number>, reward: number, now: number, confirmed: TaskType | null = null, answeredBy = d.model): void {
    this.policy = updatePolicy(this.policy, { taskType: confirmed ?? d.taskType, model: answeredBy, reward, now }, this.settings.policy);
    this.failures.set(answeredBy, observeAttempt(this.failures.get(answeredBy), { taskType: d.taskType, promptTokens: d.promptTokens, cold: !this.lru.includes(answeredBy) }, false, this.ms(now)));
    if (confirmed) this.voters = updateVoterWeights(this.voters, { votes: d.votes, outcome: confirmed }, { discount: this.settings.voterDiscount });
    const labelWeight = confirmed ? (reward >= 0.5 ? 1 : this.settings.failureWeight) : 0;
    this.index.add(embedding, confirmed ?? d.taskType, labelWeight, { model: answeredBy, reward });
    this.touch(answeredBy);
  }

  private touch(model: string): void {
    const at = this.lru.indexOf(model);
    if (at === -1) this.coldLoads++;
    else this.lru.splice(at, 1);
    this.lru.unshift(model);
    if (this.lru.length > this.settings.loadedSlots) this.lru.pop();
  }
}
