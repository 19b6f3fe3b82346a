import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ask, identityOf, startOrchestrator } from "../support/orchestrator";
import { USER_A } from "../support/db";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";
import { ERRORS_HALF_LIFE_MS, NOTABLE_AT } from "../../lib/learning/failure-model";
import { predictFailure, resetFailures } from "../../lib/learning/failure-store";
import { learningState } from "../../lib/learning/store";
import { seededRng } from "../../lib/learning/random";
import { settledLearning } from "../../lib/orchestrator/learn";
import { planRequest } from "../../lib/orchestrator/plan";
import { reinforceRoutingPattern } from "../../lib/learning/patterns";
import type { DrawnArm } from "../../lib/learning/propensity";

/**
 * A model that cannot be served for a while (here: HTTP 500s, as when Ollama runs out of
 * memory loading it) is not a model that answers badly. Its errors teach the failure
 * prediction, which weighs against it while they are recent and forgets them as they age;
 * they do not enter its posterior, so once they have aged it is the policy's choice again.
 * An unusable answer (an empty one) still counts against it.
 */
let env: Awaited<ReturnType<typeof startOrchestrator>>;
const alice = identityOf(USER_A);
const MATH = DEFAULT_ROLE_MODELS.math;
const rng = seededRng(3);

beforeAll(async () => {
  env = await startOrchestrator({ seed: 8 });
  resetFailures();
});
afterAll(() => env.close());
afterEach(() => {
  env.sim.setFaults([]);
  vi.useRealTimers();
});

/** Asks a maths question routed by the policy; which models were tried, in order, and whether each answered. */
async function askMaths(i: number, prefix = "Solve") {
  const r = await ask(alice, { prompt: `${prefix} ${i + 3}x + ${i + 7} = ${5 * i + 22} and show each step.` }, undefined, { rng });
  await settledLearning();
  return { taskType: r.end?.decision?.taskType, attempts: r.end?.decision?.attempts ?? [], draw: r.end?.decision?.draw };
}

/** The model the policy thinks best for the request: the highest posterior mean, less what choosing it costs (a cold load, its failure risk). */
const greedyOf = (arms: readonly DrawnArm[]) => arms.reduce((best, a) => (a.alpha / (a.alpha + a.beta) - a.cost > best.alpha / (best.alpha + best.beta) - best.cost ? a : best)).model;

const evidenceOf = async (model: string) => {
  const e = (await learningState()).policy.math?.[model];
  return { alpha: e?.alpha ?? 0, beta: e?.beta ?? 0 };
};

describe("failures to serve a model", () => {
  it("teach the failure prediction, not the posterior of its answers: once they have aged, it is the policy's choice again", async () => {
    for (let i = 0; i < 4; i++) expect((await askMaths(i)).taskType).toBe("math");
    const before = await evidenceOf(MATH);

    env.sim.setFaults([{ model: MATH, fault: "http500" }]);
    let failed = 0;
    for (let i = 0; i < 8; i++) {
      const { attempts } = await askMaths(i, "During the outage, solve");
      failed += attempts.filter((a) => a.model === MATH && !a.ok).length;
      expect(attempts.at(-1)?.ok).toBe(true); // another model answered
    }
    expect(failed).toBeGreaterThanOrEqual(2);
    // The failure prediction learned it…
    const during = await predictFailure(MATH, { taskType: "math", promptTokens: 40, cold: false });
    expect(during.p).toBeGreaterThan((await predictFailure(DEFAULT_ROLE_MODELS.lead_developer, { taskType: "math", promptTokens: 40, cold: false })).p);
    // …and the posterior of its answers did not: not one failed answer was added.
    expect(await evidenceOf(MATH)).toEqual(before);
    // "Why this model?" says what weighed against it.
    expect(during.p).toBeGreaterThanOrEqual(NOTABLE_AT);
    const { draw } = await askMaths(9, "Still during the outage, solve");
    expect(draw?.failing).toContainEqual({ model: MATH, risk: expect.any(Number) });

    // The model is back, and an hour later its errors are old: the policy's best guess for maths is the maths specialist again.
    env.sim.setFaults([]);
    vi.useFakeTimers({ toFake: ["Date"], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + 6 * ERRORS_HALF_LIFE_MS);
    const plan = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt: "Solve 4x - 9 = 31 and show each step.", history: [], rng });
    expect(plan.reason).toBe("policy");
    expect(greedyOf(plan.draw?.arms ?? [])).toBe(MATH);
    const answered = await askMaths(20, "After the outage, solve");
    expect(answered.attempts.every((a) => a.ok)).toBe(true);
  });

  it("leave a routing pattern's region as it was: the pattern still holds once its model is back", async () => {
    const prompt = "Find the eigenvalues of the matrix [[2, 1], [1, 2]].";
    const taught = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt, history: [], rng });
    await reinforceRoutingPattern({ embedding: taught.embedding!, embeddingModel: taught.embeddingModel, taskType: taught.taskType, interactionId: null, userId: USER_A, betterModel: MATH, worseModel: null });
    const membersOf = async (id: string) => (await env.db.query<{ agrees: boolean }>("select agrees from routing_pattern_members where pattern_id = $1", [id])).rows.map((r) => r.agrees);
    const follows = async () => planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt, history: [], rng });
    const plan = await follows();
    expect(plan.reason).toBe("pattern");
    const id = plan.pattern!.id;
    const members = await membersOf(id);

    env.sim.setFaults([{ model: MATH, fault: "http500" }]);
    const r = await ask(alice, { prompt }, undefined, { rng });
    await settledLearning();
    expect(r.end?.decision?.reason).toBe("pattern");
    expect(r.end?.decision?.attempts.map((a) => [a.model, a.ok])[0]).toEqual([MATH, false]);
    expect(r.end?.type).toBe("done"); // the next model answered
    expect(await membersOf(id)).toEqual(members); // nothing carved out of the region

    env.sim.setFaults([]);
    const back = await follows();
    expect(back.reason).toBe("pattern");
    expect(back.chain[0].model).toBe(MATH);
  });

  it("while an unusable answer still counts against the model's answers (and not as a failure to serve it)", async () => {
    const before = await evidenceOf(MATH);
    const risk = () => predictFailure(MATH, { taskType: "math", promptTokens: 40, cold: false }).then((f) => f.p);
    const riskBefore = await risk();
    env.sim.setFaults([{ model: MATH, fault: "empty" }]);
    let empty = 0;
    for (let i = 0; i < 6; i++) empty += (await askMaths(i, "Now, please solve")).attempts.filter((a) => a.model === MATH && a.reason === "empty").length;
    expect(empty).toBeGreaterThanOrEqual(1);
    const after = await evidenceOf(MATH);
    expect(after.beta).toBeGreaterThan(before.beta + 0.5 * empty);
    expect(await risk()).toBeLessThanOrEqual(riskBefore);
  });
});
