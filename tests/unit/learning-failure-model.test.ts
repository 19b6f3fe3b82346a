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
  type FailureFeatures,
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

  it("skips only with enough evidence, a near-certain failure and failures still recent; otherwise moves it later", () => {
    const m = { ...emptyFailureModel(), n: MIN_ATTEMPTS_TO_SKIP };
    expect(failureVerdict(m, 0.95, 2)).toBe("skip");
    expect(failureVerdict(m, 0.95, 0.5)).toBe("later"); // its failures have faded: try it again, last
    expect(failureVerdict({ ...m, n: 5 }, 0.95, 2)).toBe("keep");
    expect(failureVerdict(m, 0.3, 2)).toBe("keep");
  });
});
