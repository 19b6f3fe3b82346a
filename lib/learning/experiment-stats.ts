/**
 * A/B experiment statistics (pure): what counts as a success, each arm's Beta posterior,
 * and the decision rule the experiment monitor and the simulation benchmark share.
 *
 * Success of one answer is the project's one definition (lib/domain/reward.ts
 * `interactionSuccess`): reward ≥ 0.5, the same as the dashboards' success rate; a failed
 * interaction (every model failed) is a failure; cancelled or unfinished ones do not count.
 *
 * Decisions happen only at "looks": when the smaller arm reaches k·minSamples (k = 1…maxLooks).
 * Between looks nothing is decided, so checking after every interaction does not peek.
 * At look k of K the variant is promoted when P(variant better) ≥ Φ(c·√(K/k)) and stopped
 * when ≤ 1 − Φ(c'·√(K/k)): O'Brien–Fleming boundaries whose constant c is computed so that
 * the whole experiment, all looks together, promotes a variant that is no better with
 * probability 1 − promoteThreshold (5% for 0.95; likewise c' for the stop threshold). With
 * one look this is exactly "promote at P ≥ 0.95"; with several, early looks are stricter and
 * the last slightly stricter than 0.95, so peeking cannot inflate false promotions (checked by
 * bench/experiments). At the last look anything undecided stops; production stays.
 * Guardrails (error rate, p95 latency) are checked at every check and roll back at once.
 */
import { interactionSuccess, type OutcomeRow } from "@/lib/domain/reward";
import { betaMean, credibleInterval, normalQuantile, posterior, probabilityBGreaterThanAExact, type BetaParams, type Interval } from "./beta";

export interface ArmSummary {
  n: number;
  successes: number;
  errors: number;
  errorRate: number;
  p95Ms: number | null;
  posterior: BetaParams;
  mean: number;
  interval: Interval;
}

export function p95(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)];
}

export function summarizeArm(rows: OutcomeRow[]): ArmSummary {
  let n = 0;
  let successes = 0;
  let errors = 0;
  const latencies: number[] = [];
  for (const r of rows) {
    const s = interactionSuccess(r);
    if (s === null) continue;
    n++;
    if (s) successes++;
    if (r.status === "failed") errors++;
    if (r.response_time !== null && r.status === "completed") latencies.push(r.response_time);
  }
  const post = posterior(successes, n);
  return { n, successes, errors, errorRate: n ? errors / n : 0, p95Ms: p95(latencies), posterior: post, mean: betaMean(post), interval: credibleInterval(post) };
}

export interface Design {
  promoteThreshold: number;
  stopThreshold: number;
  minSamples: number;
  maxLooks: number;
}

export interface Guardrails {
  /** Roll back when the variant's error rate exceeds the control's by more than this. */
  maxErrorRateIncrease: number;
  /** Roll back when the variant's p95 latency exceeds the control's by this factor… */
  maxP95Ratio: number;
  /** …and by at least this many milliseconds. */
  minP95IncreaseMs: number;
  /** Guardrails need this many outcomes in the variant (and the p95 rule in the control too). */
  minSamples: number;
}

export const DEFAULT_DESIGN: Design = { promoteThreshold: 0.95, stopThreshold: 0.05, minSamples: 40, maxLooks: 4 };
export const DEFAULT_GUARDRAILS: Guardrails = { maxErrorRateIncrease: 0.15, maxP95Ratio: 1.5, minP95IncreaseMs: 2000, minSamples: 5 };

/** The probability needed to promote, and the one at or below which to stop, at look k of K. */
export function lookBoundary(design: Design, look: number): { promoteAt: number; stopAt: number } {
  const k = Math.max(1, Math.min(look, design.maxLooks));
  const scale = Math.sqrt(design.maxLooks / k);
  const cPromote = obrienFlemingConstant(design.maxLooks, 1 - design.promoteThreshold);
  const cStop = obrienFlemingConstant(design.maxLooks, design.stopThreshold);
  return { promoteAt: normalCdf(cPromote * scale), stopAt: 1 - normalCdf(cStop * scale) };
}

const obfCache = new Map<string, number>();

/**
 * The constant c of one-sided O'Brien–Fleming boundaries z_k = c·√(K/k) at K equally spaced
 * looks with overall crossing probability alpha under no difference: the crossing
 * probability of the standardised statistic (a Gaussian random walk observed at the looks)
 * is computed by propagating its density on a grid, and c found by bisection.
 * K = 1 gives Φ⁻¹(1 − alpha); K = 4, alpha = 0.05 gives ≈ 1.73 (the published tables).
 */
export function obrienFlemingConstant(looks: number, alpha: number): number {
  const K = Math.max(1, Math.round(looks));
  const key = `${K}:${alpha}`;
  const hit = obfCache.get(key);
  if (hit !== undefined) return hit;
  let c: number;
  if (K === 1) c = normalQuantile(1 - alpha);
  else {
    let lo = normalQuantile(1 - alpha);
    let hi = lo + 1;
    for (let i = 0; i < 40; i++) {
      const mid = (lo + hi) / 2;
      if (crossingProbability(K, mid) > alpha) lo = mid;
      else hi = mid;
    }
    c = (lo + hi) / 2;
  }
  obfCache.set(key, c);
  return c;
}

/** P(Z_k = S_k/√k ≥ c·√(K/k), i.e. S_k ≥ c·√K, at some look k ≤ K); S a sum of N(0,1) steps. */
function crossingProbability(K: number, c: number): number {
  const h = 0.025;
  const b = c * Math.sqrt(K);
  const lo = -10 * Math.sqrt(K);
  const size = Math.floor((b - lo) / h); // grid points strictly below the boundary
  const span = Math.ceil(8 / h);
  const kernel = Array.from({ length: 2 * span + 1 }, (_, j) => (Math.exp(-(((j - span) * h) ** 2) / 2) / Math.sqrt(2 * Math.PI)) * h);
  // Look 1: S_1 ~ N(0, 1); what lies above the boundary has crossed.
  let density = new Float64Array(size);
  for (let i = 0; i < size; i++) density[i] = Math.exp(-((lo + i * h) ** 2) / 2) / Math.sqrt(2 * Math.PI);
  let crossed = 1 - normalCdf(b);
  for (let k = 2; k <= K; k++) {
    let before = 0;
    for (let i = 0; i < size; i++) before += density[i] * h;
    const next = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      const d = density[i];
      if (d < 1e-14) continue;
      for (let j = -span; j <= span; j++) {
        const t = i + j;
        if (t >= 0 && t < size) next[t] += d * kernel[j + span];
      }
    }
    let after = 0;
    for (let i = 0; i < size; i++) after += next[i] * h;
    crossed += Math.max(0, before - after); // stepped past the boundary (the far bottom is negligible)
    density = next;
  }
  return crossed;
}

export function normalCdf(z: number): number {
  // Abramowitz–Stegun 7.1.26 on erf; |error| < 1.5e-7.
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export type Verdict =
  | { action: "continue"; look: number; reason: string }
  | { action: "promote" | "stop" | "rollback"; look: number; reason: string };

export interface DecisionInput {
  control: ArmSummary;
  variant: ArmSummary;
  design: Design;
  guardrails: Guardrails;
  /** The last look already decided on (0 before the first). */
  lastLook: number;
  /** Milliseconds since the start and the experiment's maximum duration. */
  elapsedMs: number;
  maxDurationMs: number;
}

export function probabilityVariantBetter(control: ArmSummary, variant: ArmSummary): number {
  return probabilityBGreaterThanAExact(control.posterior, variant.posterior);
}

/** A p95 needs this many latencies per arm before it means anything. */
export const P95_MIN_SAMPLES = 20;

export function guardrailBreach(control: ArmSummary, variant: ArmSummary, g: Guardrails): string | null {
  if (variant.n >= g.minSamples && variant.errorRate - control.errorRate > g.maxErrorRateIncrease) {
    return `guardrail: the variant's error rate ${pct(variant.errorRate)} exceeds the control's ${pct(control.errorRate)} by more than ${pct(g.maxErrorRateIncrease)} (${variant.errors} of ${variant.n} failed)`;
  }
  if (
    variant.n >= Math.max(g.minSamples, P95_MIN_SAMPLES) && control.n >= Math.max(g.minSamples, P95_MIN_SAMPLES) && variant.p95Ms !== null && control.p95Ms !== null &&
    variant.p95Ms > control.p95Ms * g.maxP95Ratio && variant.p95Ms - control.p95Ms >= g.minP95IncreaseMs
  ) {
    return `guardrail: the variant's p95 latency ${Math.round(variant.p95Ms)} ms exceeds ${g.maxP95Ratio}× the control's ${Math.round(control.p95Ms)} ms`;
  }
  return null;
}

/** What the experiment monitor does now. */
export function decide(input: DecisionInput): Verdict {
  const { control, variant, design } = input;
  const breach = guardrailBreach(control, variant, input.guardrails);
  if (breach) return { action: "rollback", look: input.lastLook, reason: breach };
  const look = Math.min(design.maxLooks, Math.floor(Math.min(control.n, variant.n) / design.minSamples));
  if (look > input.lastLook) {
    const p = probabilityVariantBetter(control, variant);
    const b = lookBoundary(design, look);
    const at = `look ${look}/${design.maxLooks}, ${control.n} control and ${variant.n} variant outcomes`;
    if (p >= b.promoteAt) return { action: "promote", look, reason: `P(variant better) = ${p.toFixed(3)} ≥ ${b.promoteAt.toFixed(3)} at ${at}` };
    if (p <= b.stopAt) return { action: "stop", look, reason: `P(variant better) = ${p.toFixed(3)} ≤ ${b.stopAt.toFixed(3)} at ${at}` };
    if (look >= design.maxLooks) return { action: "stop", look, reason: `no clear winner at the last look (P(variant better) = ${p.toFixed(3)}, ${at}); production stays` };
  }
  if (input.elapsedMs >= input.maxDurationMs) {
    return { action: "stop", look: Math.max(look, input.lastLook), reason: "maximum duration reached without a decision; production stays" };
  }
  return { action: "continue", look: Math.max(input.lastLook, look > input.lastLook ? look : input.lastLook), reason: look > input.lastLook ? `look ${look}: undecided` : "waiting for samples" };
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
