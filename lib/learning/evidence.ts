/**
 * Discounted Beta evidence: the successes (alpha) and failures (beta) observed for one arm,
 * kept apart from the prior they are added to. Each update first decays the old evidence by
 * `discount` (so the posterior drifts back toward the prior and recent outcomes weigh more),
 * then adds a fractional outcome: reward r adds r to alpha and 1 − r to beta.
 */
import type { BetaParams } from "./beta";

export type ArmEvidence = { readonly alpha: number; readonly beta: number; readonly updatedAt: number };

export const NO_EVIDENCE: ArmEvidence = { alpha: 0, beta: 0, updatedAt: 0 };

export function addEvidence(current: ArmEvidence | undefined, reward: number, discount: number, now: number): ArmEvidence {
  if (!(reward >= 0 && reward <= 1)) throw new Error(`reward must be in [0, 1], got ${reward}`);
  if (!(discount > 0 && discount <= 1)) throw new Error(`discount must be in (0, 1], got ${discount}`);
  const cur = current ?? NO_EVIDENCE;
  return { alpha: cur.alpha * discount + reward, beta: cur.beta * discount + (1 - reward), updatedAt: now };
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
