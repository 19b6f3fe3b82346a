/**
 * Sampling parameters as a small set of discrete arms per (model, task type), chosen by
 * Thompson sampling on Beta posteriors over a reward that trades quality against latency:
 * reward = quality − latencyPenalty · normalizedLatency, clipped to [0, 1].
 * The first arm of each set is the sensible default and gets a slightly stronger prior.
 */
import type { TaskType } from "@/lib/domain";
import { armKey } from "@/lib/domain/param-arm";
import type { BetaParams } from "./beta";
import { addEvidence, posteriorOf, shiftEvidence, type ArmEvidence } from "./evidence";
import { sampleBeta, type Rng } from "./random";

export type ParamArm = { id: string; temperature: number; num_predict: number; num_ctx: number };

function arm(temperature: number, num_predict: number, num_ctx: number): ParamArm {
  return { id: armKey({ temperature, num_predict, num_ctx }), temperature, num_predict, num_ctx };
}

/** Code and maths: low temperature, room for a full answer. */
const PRECISE = [arm(0.2, 1024, 4096), arm(0.2, 2048, 8192), arm(0.5, 1024, 4096), arm(0.2, 512, 4096), arm(0.5, 2048, 8192)];
/** System design: long answers, a little more freedom. */
const DESIGN = [arm(0.5, 2048, 8192), arm(0.2, 2048, 8192), arm(0.8, 2048, 8192), arm(0.5, 1024, 4096)];
/** Prose and chat: the middle temperature by default. */
const PROSE = [arm(0.5, 1024, 4096), arm(0.8, 1024, 4096), arm(0.5, 512, 4096), arm(0.2, 1024, 4096), arm(0.8, 2048, 8192)];

/** Editors' fill-in-the-middle: short and precise (the editor's own options take precedence). */
const FILL = [arm(0.2, 128, 4096)];

const ARMS: Record<TaskType, readonly ParamArm[]> = {
  math: PRECISE,
  algorithm: PRECISE,
  code_generation: PRECISE,
  debugging: PRECISE,
  refactoring_optimization: PRECISE,
  architecture: DESIGN,
  explanation: PROSE,
  general: PROSE,
  completion: FILL,
};

export function paramArmsFor(taskType: TaskType): readonly ParamArm[] {
  return ARMS[taskType];
}

export function defaultParams(taskType: TaskType): ParamArm {
  return ARMS[taskType][0];
}

const DEFAULT_ARM_PRIOR: BetaParams = { alpha: 3, beta: 2 };
const OTHER_ARM_PRIOR: BetaParams = { alpha: 2, beta: 2 };

/** Keyed by paramsKey(model, taskType), then arm id. */
export type ParamsState = Readonly<Record<string, Readonly<Record<string, ArmEvidence>>>>;

export const EMPTY_PARAMS: ParamsState = {};

export function paramsKey(model: string, taskType: TaskType): string {
  return `${model}::${taskType}`;
}

/** Latency at which the parameter bandit's latency penalty is full. */
export const PARAMS_LATENCY_BUDGET_MS = 30_000;

export function paramsReward({
  quality,
  normalizedLatency,
  latencyPenalty = 0.2,
}: {
  quality: number;
  /** latency / budget for this (model, task type), e.g. the p95; clipped to [0, 1] */
  normalizedLatency: number;
  latencyPenalty?: number;
}): number {
  const lat = Math.min(1, Math.max(0, normalizedLatency));
  return Math.min(1, Math.max(0, quality - latencyPenalty * lat));
}

export type ParamsChoice = { arm: ParamArm; explored: boolean; samples: Record<string, number> };

export function chooseParams({
  model,
  taskType,
  state,
  rng,
  now,
}: {
  model: string;
  taskType: TaskType;
  state: ParamsState;
  rng: Rng;
  now: number;
}): ParamsChoice {
  const arms = ARMS[taskType];
  const evidence = state[paramsKey(model, taskType)] ?? {};
  const samples: Record<string, number> = {};
  const means: Record<string, number> = {};
  arms.forEach((a, i) => {
    const post = posteriorOf(i === 0 ? DEFAULT_ARM_PRIOR : OTHER_ARM_PRIOR, evidence[a.id], now);
    means[a.id] = post.alpha / (post.alpha + post.beta);
    samples[a.id] = sampleBeta(rng, post.alpha, post.beta);
  });
  const chosen = arms.reduce((best, a) => (samples[a.id] > samples[best.id] ? a : best));
  const greedy = arms.reduce((best, a) => (means[a.id] > means[best.id] ? a : best));
  return { arm: chosen, explored: chosen.id !== greedy.id, samples };
}

export function updateParams(
  state: ParamsState,
  {
    model,
    taskType,
    armId,
    quality,
    normalizedLatency,
    latencyPenalty,
    now,
    discount = 0.99,
  }: {
    model: string;
    taskType: TaskType;
    armId: string;
    quality: number;
    normalizedLatency: number;
    latencyPenalty?: number;
    now: number;
    discount?: number;
  },
): ParamsState {
  if (!ARMS[taskType].some((a) => a.id === armId)) throw new Error(`unknown parameter arm ${armId} for ${taskType}`);
  const key = paramsKey(model, taskType);
  const arms = state[key] ?? {};
  const reward = paramsReward({ quality, normalizedLatency, latencyPenalty });
  return { ...state, [key]: { ...arms, [armId]: addEvidence(arms[armId], reward, discount, now) } };
}

/** An answer's reward for its arm changed from `from` to `to` (arm rewards, latency penalty included): a new state, the answer still counted once. */
export function correctParams(state: ParamsState, { model, taskType, armId, from, to, now }: { model: string; taskType: TaskType; armId: string; from: number; to: number; now: number }): ParamsState {
  if (!ARMS[taskType].some((a) => a.id === armId)) throw new Error(`unknown parameter arm ${armId} for ${taskType}`);
  const key = paramsKey(model, taskType);
  const arms = state[key] ?? {};
  return { ...state, [key]: { ...arms, [armId]: shiftEvidence(arms[armId], to - from, now) } };
}
