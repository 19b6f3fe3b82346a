import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, identityOf, startOrchestrator } from "../support/orchestrator";
import { USER_A } from "../support/db";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";
import { MIN_ATTEMPTS_TO_SKIP } from "../../lib/learning/failure-model";
import { resetFailures } from "../../lib/learning/failure-store";
import { planRequest } from "../../lib/orchestrator/plan";
import { reinforceRoutingPattern } from "../../lib/learning/patterns";

/** A model that keeps failing is moved behind the others, then skipped before it is tried. */
let env: Awaited<ReturnType<typeof startOrchestrator>>;
const alice = identityOf(USER_A);
const BROKEN = DEFAULT_ROLE_MODELS.math;

beforeAll(async () => {
  env = await startOrchestrator({ seed: 8 });
  resetFailures();
});
afterAll(() => env.close());

describe("failure prediction", () => {
  it("learns from the recorded attempts that a model fails, and plans around it", async () => {
    env.sim.setFaults([{ model: BROKEN, fault: "http500" }]);
    for (let i = 0; i < MIN_ATTEMPTS_TO_SKIP + 2; i++) {
      const r = await ask(alice, { prompt: `Compute the integral of x^${i + 2} from 0 to 1.`, model: BROKEN });
      expect(r.end?.decision?.attempts[0]).toMatchObject({ model: BROKEN, ok: false });
    }
    // A restart forgets the process's state; the prediction is rebuilt from the recorded attempts.
    resetFailures();
    const plan = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt: "Solve 3x + 7 = 22 and show each step.", history: [] });
    expect(plan.chain.map((c) => c.model)).not.toContain(BROKEN);
    expect(plan.skipped).toContainEqual({ model: BROKEN, reason: expect.stringMatching(/^predicted to fail \(\d+%/) });
    // The user's own choice is still honoured.
    const forced = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt: "Solve 3x + 7 = 22.", history: [], forcedModel: BROKEN });
    expect(forced.chain[0].model).toBe(BROKEN);
    // So is a pattern the user taught: the decision says "pattern", and that model answers first.
    const taught = await reinforceRoutingPattern({ embedding: plan.embedding!, embeddingModel: plan.embeddingModel, taskType: plan.taskType, interactionId: null, userId: USER_A, betterModel: BROKEN, worseModel: null });
    expect(taught.created).toBe(true);
    const followed = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt: "Solve 3x + 7 = 22 and show each step.", history: [] });
    expect(followed.reason).toBe("pattern");
    expect(followed.chain[0].model).toBe(BROKEN);
    env.sim.setFaults([]);
  });
});
