import { describe, expect, it } from "vitest";
import {
  decayErrors,
  emptyFailureModel,
  errorsNow,
  ERRORS_HALF_LIFE_MS,
  failureProbability,
  failureVerdict,
  learnFailure,
  MIN_ATTEMPTS_TO_SKIP,
  observeAttempt,
  predictFrom,
  WEIGHTS_HALF_LIFE_MS,
  type FailureFeatures,
  type ModelFailures,
} from "../../lib/learning/failure-model";

const req = (o: Partial<FailureFeatures> = {}): FailureFeatures => ({ taskType: "code_generation", promptTokens: 300, cold: false, recentErrors: 0, ...o });

describe("failure prediction", () => {
  it("starts out expecting models to answer, and learns which requests a model fails", () => {
    let m = emptyFailureModel();
    expect(failureProbability(m, req())).toBeLessThan(0.05);
    // This model fails every cold start with a long prompt, and answers warm short ones.
    for (let i = 0; i < 300; i++) {
      m = learnFailure(m, req({ cold: true, promptTokens: 30_000 }), true);
      m = learnFailure(m, req({ cold: false, promptTokens: 200 }), false);
    }
    expect(failureProbability(m, req({ cold: true, promptTokens: 30_000 }))).toBeGreaterThan(0.8);
    expect(failureProbability(m, req({ cold: false, promptTokens: 200 }))).toBeLessThan(0.2);
  });

  it("recent failures weigh more, and fade with attempts and with time", () => {
    let e = 0;
    for (let i = 0; i < 5; i++) e = decayErrors(e, true);
    expect(e).toBeGreaterThan(3);
    const afterSuccesses = [1, 2, 3, 4, 5].reduce((x) => decayErrors(x, false), e);
    expect(afterSuccesses).toBeCloseTo(e / 2, 6);
    expect(errorsNow(e, ERRORS_HALF_LIFE_MS)).toBeCloseTo(e / 2, 6);
  });

  it("forgets an outage: what its errors taught the weights fades as they age, so the risk returns to where it started", () => {
    const f = { taskType: "debugging" as const, promptTokens: 300, cold: false };
    const start = predictFrom(undefined, f, 0).p;
    let s: ModelFailures | undefined;
    let t = 0;
    for (let i = 0; i < 40; i++) s = observeAttempt(s, f, false, (t += 60_000)); // forty answers, a minute apart
    for (let i = 0; i < 12; i++) s = observeAttempt(s, f, true, (t += 60_000)); // then twelve minutes of errors
    const during = predictFrom(s, f, t).p;
    expect(during).toBeGreaterThan(0.5);
    // Its recent errors alone fade in ERRORS_HALF_LIFE_MS; the weights in WEIGHTS_HALF_LIFE_MS.
    expect(WEIGHTS_HALF_LIFE_MS).toBeGreaterThan(ERRORS_HALF_LIFE_MS);
    const later = predictFrom(s, f, t + 8 * WEIGHTS_HALF_LIFE_MS).p;
    expect(Math.abs(later - start)).toBeLessThan(0.01);
    // A model that keeps failing keeps being predicted to: the fading is no amnesty for what recurs.
    let steady = s;
    for (let i = 0; i < 100; i++) steady = observeAttempt(steady, f, i % 2 === 0, (t += 60_000));
    expect(predictFrom(steady, f, t).p).toBeGreaterThan(0.3);
  });

  it("skips only with enough evidence, a near-certain failure and failures still recent; otherwise moves it later", () => {
    const m = { ...emptyFailureModel(), n: MIN_ATTEMPTS_TO_SKIP };
    expect(failureVerdict(m, 0.95, 2)).toBe("skip");
    expect(failureVerdict(m, 0.95, 0.5)).toBe("later"); // its failures have faded: try it again, last
    expect(failureVerdict({ ...m, n: 5 }, 0.95, 2)).toBe("keep");
    expect(failureVerdict(m, 0.3, 2)).toBe("keep");
  });
});
