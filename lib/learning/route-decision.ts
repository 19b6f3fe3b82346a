/**
 * The whole route decision, pure: which model answers first and in what order the others
 * take over. One function serves production (lib/orchestrator/plan.ts) and the replay
 * benchmark (bench/routing/replay.ts), so the benchmark measures the code that runs.
 *
 * Precedence: a model the user chose (or a regeneration's), then a learned routing pattern
 * that applies, then a routing rule an operator approved, then the learned policy. The rest of
 * the chain is the learned fallback order (lib/learning/fallback.ts).
 */
import type { TaskType } from "@/lib/domain";
import { orderChain, type FallbackStats } from "./fallback";
import { choosePolicy, DEFAULT_POLICY_OPTIONS, type ContextEvidence, type PolicyCandidate, type PolicyOptions, type PolicyState } from "./policy";
import type { DrawnArm } from "./propensity";
import type { Rng } from "./random";

export type RouteReason = "policy" | "pattern" | "rule" | "forced" | "regenerate";

export interface RouteInput {
  taskType: TaskType;
  candidates: readonly PolicyCandidate[];
  policy: PolicyState;
  fallback: FallbackStats;
  /** the static chain for the task type as model tags, best first (the fallback order's prior) */
  priorsChain: readonly string[];
  /** per-request evidence from the nearest past requests */
  context?: ContextEvidence;
  forced?: { model: string; regenerate: boolean } | null;
  /** a learned routing pattern that applies to this request (similar enough, confident, available) */
  pattern?: { model: string } | null;
  /** the model an approved routing rule prefers for the task type */
  rule?: string | null;
  rng: Rng;
  now: number;
  options?: PolicyOptions;
  /** compares model tags (`x` and `x:latest` are one model) */
  same?: (a: string, b: string) => boolean;
}

export interface RouteDecision {
  /** the model asked first; null when no model is available */
  primary: string | null;
  reason: RouteReason;
  explored: boolean;
  /** posterior mean per candidate, when the policy was consulted */
  means?: Record<string, number>;
  /** the models the policy drew among, when it chose the primary (what the chance of its choice is computed from) */
  drawn?: DrawnArm[];
  /** every available model, the primary first, then the learned fallback order */
  order: string[];
}

export function decideRoute(input: RouteInput): RouteDecision {
  const same = input.same ?? ((a, b) => a === b);
  const available = input.candidates.filter((c) => c.available);
  const isAvailable = (m: string) => available.some((c) => same(c.model, m));
  const choice = input.forced ? null : choosePolicy({ taskType: input.taskType, candidates: input.candidates, state: input.policy, context: input.context, rng: input.rng, now: input.now, options: input.options ?? DEFAULT_POLICY_OPTIONS });

  let primary: string | null = null;
  let reason: RouteReason = "policy";
  let explored = false;
  if (input.forced) {
    primary = input.forced.model;
    reason = input.forced.regenerate ? "regenerate" : "forced";
  } else if (input.pattern && isAvailable(input.pattern.model)) {
    primary = input.pattern.model;
    reason = "pattern";
  } else if (input.rule && isAvailable(input.rule)) {
    primary = input.rule;
    reason = "rule";
  } else if (choice) {
    primary = choice.model;
    explored = choice.explored;
  }

  const rest = orderChain({
    taskType: input.taskType,
    primary: primary ?? "",
    candidates: available.map((c) => c.model),
    stats: input.fallback,
    priorsChain: input.priorsChain,
  });
  const order = primary ? [primary, ...rest.filter((m) => !same(m, primary!))] : rest;
  return { primary, reason, explored, means: choice?.means, ...(reason === "policy" && choice ? { drawn: choice.arms } : {}), order };
}
