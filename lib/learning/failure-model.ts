/**
 * The probability that a model fails to answer a request at all (an error, a time-out, a
 * broken stream: it was not served; an unusable answer is the routing posterior's,
 * lib/domain/attempt-failure.ts), learned per model by online logistic regression (pure) over
 * what is known before the attempt: the task type, the prompt's length, whether the model
 * must be loaded first, and its recent failures. The plan moves a model that will probably
 * fail behind the others, and skips it when failure is near certain.
 */
import { TASK_TYPES, type TaskType } from "@/lib/domain";

export interface FailureFeatures {
  taskType: TaskType;
  promptTokens: number;
  cold: boolean;
  /** decayed count of the model's recent failures (see {@link decayErrors}) */
  recentErrors: number;
}

export interface FailureModel {
  weights: number[];
  /** attempts learned from */
  n: number;
}

/** Start: a model fails rarely (~3%), and nothing else is known. */
export const PRIOR_BIAS = Math.log(0.03 / 0.97);
const LEARNING_RATE = 0.1;
const L2 = 1e-3;
/** Evidence needed before the prediction reorders a chain, and before it may skip a model. */
export const MIN_ATTEMPTS_TO_REORDER = 10;
export const MIN_ATTEMPTS_TO_SKIP = 20;
/** A risk worth telling the user about where it weighed against a model (lib/learning/policy.ts: the choice weighs every risk). */
export const NOTABLE_AT = 0.1;
export const REORDER_AT = 0.5;
export const SKIP_AT = 0.9;

const DIM = 4 + TASK_TYPES.length;

export function emptyFailureModel(): FailureModel {
  const weights = new Array<number>(DIM).fill(0);
  weights[0] = PRIOR_BIAS;
  return { weights, n: 0 };
}

/** Where every model's weights start (and fade back to). */
const START_WEIGHTS: readonly number[] = emptyFailureModel().weights;

function features(f: FailureFeatures): number[] {
  const x = new Array<number>(DIM).fill(0);
  x[0] = 1;
  x[1] = Math.log2(1 + Math.max(0, f.promptTokens)) / 16; // ~0.5 at 256 tokens, ~1 at 64k
  x[2] = f.cold ? 1 : 0;
  x[3] = Math.min(5, f.recentErrors);
  x[4 + TASK_TYPES.indexOf(f.taskType)] = 1;
  return x;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function failureProbability(m: FailureModel, f: FailureFeatures): number {
  const x = features(f);
  return sigmoid(x.reduce((s, xi, i) => s + xi * m.weights[i], 0));
}

/** One attempt's outcome: a gradient step on the log-loss (the bias is not regularised). */
export function learnFailure(m: FailureModel, f: FailureFeatures, failed: boolean): FailureModel {
  const x = features(f);
  const err = failureProbability(m, f) - (failed ? 1 : 0);
  const weights = m.weights.map((w, i) => w - LEARNING_RATE * (err * x[i] + (i === 0 ? 0 : L2 * w)));
  return { weights, n: m.n + 1 };
}

/** Recent failures weigh more than old ones: each new attempt halves the weight of the past every `halfLife` attempts. */
export function decayErrors(previous: number, failed: boolean, halfLife = 5): number {
  return previous * Math.pow(0.5, 1 / halfLife) + (failed ? 1 : 0);
}

/** Recent failures also fade with time, so a model skipped for failing is tried again later. */
export const ERRORS_HALF_LIFE_MS = 10 * 60_000;

export function errorsNow(recentErrors: number, sinceMs: number): number {
  return recentErrors * Math.pow(0.5, Math.max(0, sinceMs) / ERRORS_HALF_LIFE_MS);
}

/** One model's failure prediction as kept between attempts: the model, its decayed recent failures, and when they were counted. */
export interface ModelFailures {
  model: FailureModel;
  recentErrors: number;
  /** ms */
  at: number;
}

/**
 * What the model learned fades too, toward where it started, as its attempts age: an outage
 * teaches the weights as well as the recent errors (the bias and the task types take part of
 * the blame), and a prediction that weighs in the routing must not keep a model out once the
 * outage is over. What keeps happening (failing when cold) is learned again as it happens.
 */
export const WEIGHTS_HALF_LIFE_MS = 60 * 60_000;

function fadedModel(m: FailureModel, sinceMs: number): FailureModel {
  if (sinceMs <= 0) return m;
  const f = Math.pow(0.5, sinceMs / WEIGHTS_HALF_LIFE_MS);
  return { weights: m.weights.map((w, i) => START_WEIGHTS[i] + (w - START_WEIGHTS[i]) * f), n: m.n };
}

/** The state after one attempt (`failed`: it was not served) at time `now` (ms). */
export function observeAttempt(s: ModelFailures | undefined, f: Omit<FailureFeatures, "recentErrors">, failed: boolean, now: number): ModelFailures {
  const cur = s ?? { model: emptyFailureModel(), recentErrors: 0, at: now };
  const recent = errorsNow(cur.recentErrors, now - cur.at);
  return { model: learnFailure(fadedModel(cur.model, now - cur.at), { ...f, recentErrors: recent }, failed), recentErrors: decayErrors(recent, failed), at: now };
}

/** The probability that the model fails this request at time `now` (ms), its recent failures faded to then, and what the plan should do about it. */
export function predictFrom(s: ModelFailures | undefined, f: Omit<FailureFeatures, "recentErrors">, now: number): { p: number; verdict: "keep" | "later" | "skip" } {
  if (!s) return { p: failureProbability(emptyFailureModel(), { ...f, recentErrors: 0 }), verdict: "keep" };
  const recentErrors = errorsNow(s.recentErrors, now - s.at);
  const p = failureProbability(fadedModel(s.model, now - s.at), { ...f, recentErrors });
  return { p, verdict: failureVerdict(s.model, p, recentErrors) };
}

/**
 * What the plan does with a model: keep it in place, move it behind the others, or skip it.
 * Only a model that failed recently is skipped: once its failures fade it gets asked again,
 * which is how the prediction learns that it recovered.
 */
export function failureVerdict(m: FailureModel, p: number, recentErrors: number): "keep" | "later" | "skip" {
  if (m.n >= MIN_ATTEMPTS_TO_SKIP && p >= SKIP_AT && recentErrors >= 1) return "skip";
  if (m.n >= MIN_ATTEMPTS_TO_REORDER && p >= REORDER_AT) return "later";
  return "keep";
}
