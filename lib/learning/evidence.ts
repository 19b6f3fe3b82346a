/**
 * Beta evidence with change detection: the successes (alpha) and failures (beta) observed for
 * one arm, kept apart from the prior they are added to. A reward r adds r to alpha and 1 − r
 * to beta.
 *
 * Two memories of the same outcomes:
 * - the long one decays by `discount` per update (slowly: posteriors settle and exploration
 *   ends once the evidence is clear);
 * - the recent one by RECENT_DISCOUNT (about the last fifty outcomes: enough to tell a change
 *   of 0.3 in a success rate from chance).
 * When the two disagree beyond what chance explains (their smoothed means more than
 * DRIFT_Z standard errors apart, once the recent memory holds RECENT_MIN outcomes), the arm
 * has changed: the long memory restarts from the recent one. So a model that gets worse (or
 * better) is noticed within tens of outcomes, without keeping every posterior wide for ever.
 * private.evidence_add in SQL does the same (tests/integration/learning-atomic.test.ts).
 */
import type { BetaParams } from "./beta";

export type ArmEvidence = {
  readonly alpha: number;
  readonly beta: number;
  readonly updatedAt: number;
  /** the recent memory (absent in evidence written before change detection: it starts empty) */
  readonly recent?: { readonly alpha: number; readonly beta: number };
};

export const NO_EVIDENCE: ArmEvidence = { alpha: 0, beta: 0, updatedAt: 0 };

/** Per-update decay of the recent memory: its weight is about 1 / (1 − 0.98) = 50 outcomes. */
export const RECENT_DISCOUNT = 0.98;
/** Outcomes the recent memory must hold before it may overrule the long one. */
export const RECENT_MIN = 20;
/** Standard errors apart that count as a change (about 1 false alarm in 370 independent tests). */
export const DRIFT_Z = 3;

/** Mean and variance of Beta(1 + a, 1 + b): the Laplace-smoothed rate and its uncertainty. */
function smoothed(a: number, b: number): { mean: number; variance: number } {
  const n = a + b + 2;
  const mean = (a + 1) / n;
  return { mean, variance: (mean * (1 - mean)) / (n + 1) };
}

/** True when the recent memory says the arm is no longer what the long memory says. */
export function drifted(long: { alpha: number; beta: number }, recent: { alpha: number; beta: number }): boolean {
  if (recent.alpha + recent.beta < RECENT_MIN) return false;
  const l = smoothed(long.alpha, long.beta);
  const r = smoothed(recent.alpha, recent.beta);
  return Math.abs(l.mean - r.mean) > DRIFT_Z * Math.sqrt(l.variance + r.variance);
}

export function addEvidence(current: ArmEvidence | undefined, reward: number, discount: number, now: number): ArmEvidence {
  if (!(reward >= 0 && reward <= 1)) throw new Error(`reward must be in [0, 1], got ${reward}`);
  if (!(discount > 0 && discount <= 1)) throw new Error(`discount must be in (0, 1], got ${discount}`);
  const cur = current ?? NO_EVIDENCE;
  const long = { alpha: cur.alpha * discount + reward, beta: cur.beta * discount + (1 - reward) };
  const before = cur.recent ?? { alpha: 0, beta: 0 };
  const recent = { alpha: before.alpha * RECENT_DISCOUNT + reward, beta: before.beta * RECENT_DISCOUNT + (1 - reward) };
  const kept = drifted(long, recent) ? recent : long;
  return { alpha: kept.alpha, beta: kept.beta, updatedAt: Math.max(cur.updatedAt, now), recent };
}

/**
 * Evidence on top of a prior. With `halfLifeMs`, evidence also fades with time since the
 * arm's last update (an arm nobody tried for weeks is uncertain again).
 */
export function posteriorOf(prior: BetaParams, evidence: ArmEvidence | undefined, now: number, halfLifeMs?: number): BetaParams {
  if (!evidence) return { alpha: prior.alpha, beta: prior.beta };
  const age = Math.max(0, now - evidence.updatedAt);
  const fade = halfLifeMs ? Math.pow(0.5, age / halfLifeMs) : 1;
  return { alpha: prior.alpha + evidence.alpha * fade, beta: prior.beta + evidence.beta * fade };
}

/**
 * An outcome already counted changed its reward by `delta` (an answer's verdict replacing its
 * automatic reward): `delta` moves from failures to successes (negative: the other way) in
 * both memories, never below zero, with the amount of evidence unchanged. Not a new outcome:
 * nothing decays. private.evidence_shift in SQL does the same.
 */
export function shiftEvidence(current: ArmEvidence | undefined, delta: number, now: number): ArmEvidence {
  if (!(delta >= -1 && delta <= 1)) throw new Error(`a reward changes by at most 1, got ${delta}`);
  return adjustEvidence(current, delta, -delta, now);
}

/**
 * The evidence without one outcome of reward `r` already counted (an answer moved to the task
 * type its user says it was): r less successes and 1 − r less failures in both memories, never
 * below zero. Not an outcome: nothing decays. private.evidence_drop in SQL does the same.
 */
export function dropEvidence(current: ArmEvidence | undefined, r: number, now: number): ArmEvidence {
  if (!(r >= 0 && r <= 1)) throw new Error(`a reward is in [0, 1], got ${r}`);
  return adjustEvidence(current, -r, -(1 - r), now);
}

/** Successes and failures moved by the given amounts in both memories, never below zero; nothing decays. */
function adjustEvidence(current: ArmEvidence | undefined, dAlpha: number, dBeta: number, now: number): ArmEvidence {
  const cur = current ?? NO_EVIDENCE;
  const recent = cur.recent ?? { alpha: 0, beta: 0 };
  return {
    alpha: Math.max(0, cur.alpha + dAlpha),
    beta: Math.max(0, cur.beta + dBeta),
    updatedAt: Math.max(cur.updatedAt, now),
    recent: { alpha: Math.max(0, recent.alpha + dAlpha), beta: Math.max(0, recent.beta + dBeta) },
  };
}
