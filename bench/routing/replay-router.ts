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
};

export type Decision = { taskType: TaskType; confidence: number; votes: Vote[]; model: string; explored: boolean; decisionMs: number; drawn: DrawnArm[] };

export class ReplayRouter {
  policy: PolicyState = EMPTY_POLICY;
  voters: VoterWeights = DEFAULT_VOTER_WEIGHTS;
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
    const candidates = available.map((m) => policyCandidate(m, this.roles[m] ?? null, loaded.has(m)));
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
    return { taskType: combined.taskType, confidence: combined.confidence, votes, model: route.primary, explored: route.explored, decisionMs, drawn: route.drawn ?? [] };
  }

  /**
   * The outcome becomes the feedback: posterior, neighbour index (with the outcome, for
   * contextual routing), loaded models. Only a confirmed task type (`confirmed`, as a user
   * states it) teaches the voters and labels a neighbour; the router's own guess never does.
   */
  learn(d: Pick<Decision, "taskType" | "votes" | "model">, embedding: ArrayLike<number>, reward: number, now: number, confirmed: TaskType | null = null): void {
    this.policy = updatePolicy(this.policy, { taskType: confirmed ?? d.taskType, model: d.model, reward, now }, this.settings.policy);
    if (confirmed) this.voters = updateVoterWeights(this.voters, { votes: d.votes, outcome: confirmed }, { discount: this.settings.voterDiscount });
    const labelWeight = confirmed ? (reward >= 0.5 ? 1 : this.settings.failureWeight) : 0;
    this.index.add(embedding, confirmed ?? d.taskType, labelWeight, { model: d.model, reward });
    this.touch(d.model);
  }

  private touch(model: string): void {
    const at = this.lru.indexOf(model);
    if (at === -1) this.coldLoads++;
    else this.lru.splice(at, 1);
    this.lru.unshift(model);
    if (this.lru.length > this.settings.loadedSlots) this.lru.pop();
  }
}
