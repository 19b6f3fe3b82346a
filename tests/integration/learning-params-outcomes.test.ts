import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, identityOf, startOrchestrator } from "../support/orchestrator";
import { USER_A } from "../support/db";
import { learnFromFeedback } from "../../lib/learning/feedback";
import { learningState } from "../../lib/learning/store";
import { paramsKey } from "../../lib/learning/params";
import { planRequest } from "../../lib/orchestrator/plan";
import { learnFromRun, settledLearning } from "../../lib/orchestrator/learn";
import { isTaskType, type TaskType } from "../../lib/domain";

/** The parameter bandit sees every outcome: failures its arm can cause, and users' ratings. */
let env: Awaited<ReturnType<typeof startOrchestrator>>;
const alice = identityOf(USER_A);

beforeAll(async () => {
  env = await startOrchestrator({ seed: 5 });
});
afterAll(() => env.close());

const evidenceOf = async (model: string, taskType: TaskType, armId: string) => (await learningState()).params[paramsKey(model, taskType)]?.[armId] ?? { alpha: 0, beta: 0 };

describe("parameters that see every outcome", () => {
  it("a rating reaches the arm the answer ran with, in place of its automatic quality: the answer counts once", async () => {
    const r = await ask(alice, { prompt: "Write a Python function that merges two sorted lists." });
    const d = r.start.decision;
    expect(isTaskType(d.taskType)).toBe(true);
    const armId = (await env.db.query<{ arm: string }>("select routing_decision ->> 'armId' as arm from interactions where id = $1", [r.interactionId])).rows[0].arm;
    expect(armId).toBeTruthy();
    await settledLearning(); // the automatic quality is in the arm
    const before = await evidenceOf(d.model, d.taskType as TaskType, armId);
    await learnFromFeedback(alice, { interactionId: r.interactionId, rating: 1 });
    const after = await evidenceOf(d.model, d.taskType as TaskType, armId);
    // A poor rating: success evidence becomes failure evidence, the amount stays.
    expect(after.beta).toBeGreaterThan(before.beta);
    expect(after.alpha).toBeLessThan(before.alpha);
    expect(after.alpha + after.beta).toBeCloseTo(before.alpha + before.beta, 9);
  });

  it("a truncated attempt counts against its arm; a failure parameters cannot cause does not", async () => {
    const plan = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt: "Implement Dijkstra's algorithm in Go with a binary heap.", history: [] });
    const [first, second] = plan.chain;
    expect(first.armId && second?.armId).toBeTruthy();
    const before = [await evidenceOf(first.model, plan.taskType, first.armId!), await evidenceOf(second.model, plan.taskType, second.armId!)];
    await learnFromRun({
      plan,
      outcome: {
        status: "failed",
        model: null,
        response: "",
        attempts: [
          { model: first.model, role: first.role, ok: false, reason: "truncated", message: "cut off at its token limit", ms: 900 },
          { model: second.model, role: second.role, ok: false, reason: "http", message: "500", ms: 50 },
        ],
        auto: null,
        promptTokens: null,
        completionTokens: null,
        planned: null,
        error: { code: "all_failed", message: "every model failed" },
      },
      responseTimeMs: 950,
      regenerateOf: null,
    });
    const after = [await evidenceOf(first.model, plan.taskType, first.armId!), await evidenceOf(second.model, plan.taskType, second.armId!)];
    expect(after[0].beta).toBeGreaterThan(before[0].beta + 0.5);
    expect(after[1]).toEqual(before[1]);
  });
});
