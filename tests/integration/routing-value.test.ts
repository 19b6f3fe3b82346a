/**
 * What learned routing is worth, on the dashboard: every answer the learned policy routed
 * records its draw (the chance it had of its choice, what it drew among, the role table's
 * choice) when it is finished, and the dashboard judges the role table and each model alone
 * on those answers. Through the real orchestrator, database and simulator; on PGlite and,
 * under `npm run test:postgres`, on the PostgreSQL server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, identityOf, startOrchestrator, storedInteraction } from "../support/orchestrator";
import { OPERATOR, USER_A, USER_B, userClaims } from "../support/db";
import { withClaims } from "../../lib/db/session";
import { buildDashboard } from "../../lib/analytics/dashboard";
import { learnFromFeedback } from "../../lib/learning/feedback";
import { seededRng } from "../../lib/learning/random";
import { interactionReward } from "../../lib/domain";
import { offPolicyValue } from "../../lib/learning/off-policy";
import { MIN_EFFECTIVE_ANSWERS } from "../../lib/learning/routed-log";

let env: Awaited<ReturnType<typeof startOrchestrator>>;
beforeAll(async () => {
  env = await startOrchestrator({ seed: 5 });
});
afterAll(() => env.close());

const PROMPTS = [
  "Write a Python function that merges two sorted lists",
  "Why does my Rust code say the borrowed value does not live long enough?",
  "What is the derivative of x^3 * sin(x)?",
  "Design a rate limiter for a public REST API",
  "Explain what a closure is in JavaScript",
  "Refactor this loop into a list comprehension: for x in xs: if x > 0: out.append(x * 2)",
];

const dashboardOf = (sub: string, operator: boolean) =>
  withClaims(env.db, userClaims(sub, { operator }), (tx) => buildDashboard(tx, { filters: { range: "all", model: null, taskType: null } }));

describe("what learned routing is worth", () => {
  it("records the policy's draw on each answer it routed, judges the table and each model on them, and leaves named models and other users' answers out", async () => {
    const users = [identityOf(USER_A), identityOf(USER_B)];
    const routed: string[] = [];
    for (let i = 0; i < 24; i++) {
      const a = await ask(users[i % 2], { prompt: `${PROMPTS[i % PROMPTS.length]} (${i})` }, undefined, { rng: seededRng(100 + i) });
      expect(a.end?.type).toBe("done");
      routed.push(a.interactionId);
      if (i % 3 === 0) await learnFromFeedback(users[i % 2], { interactionId: a.interactionId, thumbs: i % 2 ? "down" : "up" });
    }
    const named = await ask(users[0], { prompt: "Explain recursion", model: "openhermes" });

    // The draw: recorded when the answer is finished, its chance the policy's own.
    for (const id of routed) {
      const row = await storedInteraction(env.db, id);
      const draw = row.routing_decision.draw!;
      expect(row.routing_decision.reason).toBe("policy");
      expect(draw.model).toBe(row.routing_decision.chain[0]);
      expect(draw.eligible).toContain(draw.model);
      expect(draw.propensity).toBeGreaterThan(0);
      expect(draw.propensity).toBeLessThanOrEqual(1);
      if (draw.eligible.length === 1) expect(draw.propensity).toBe(1);
    }
    expect((await storedInteraction(env.db, named.interactionId)).routing_decision.draw).toBeUndefined();

    const dash = await dashboardOf(OPERATOR, true);
    const value = dash.routingValue!;
    expect(value.empty).toBeNull();
    expect(value.answers).toBe(routed.length);
    const learned = value.rows[0];
    expect(learned.policy).toBe("learned");
    expect(learned.value.matched).toBe(routed.length);
    // What users got: the mean of the answers' rewards.
    const rewards = await Promise.all(routed.map(async (id) => interactionReward(await storedInteraction(env.db, id))!));
    expect(learned.value.value).toBeCloseTo(rewards.reduce((s, r) => s + r, 0) / rewards.length, 9);
    expect(learned.value.low!).toBeLessThanOrEqual(learned.value.value!);
    expect(learned.value.high!).toBeGreaterThanOrEqual(learned.value.value!);
    // The role table judged on the recorded draws: it covers requests and was followed on some.
    const logged = await Promise.all(
      routed.map(async (id) => {
        const row = await storedInteraction(env.db, id);
        const d = row.routing_decision.draw!;
        return { model: d.model, propensity: d.propensity, eligible: d.eligible, table: d.table, reward: interactionReward(row)! };
      }),
    );
    const table = offPolicyValue(logged, (r) => r.table);
    expect(table.support).toBeGreaterThan(0);
    expect(table.matched).toBeGreaterThan(0);
    expect(table.value!).toBeGreaterThanOrEqual(0);
    expect(table.value!).toBeLessThanOrEqual(1);
    // What the dashboard shows beside learned routing is worth enough answers, best model first.
    const others = value.rows.slice(1);
    for (const r of others) expect(r.value.effectiveN).toBeGreaterThanOrEqual(MIN_EFFECTIVE_ANSWERS);
    const models = others.filter((r) => r.policy !== "table").map((r) => r.value.value!);
    expect(models).toEqual([...models].sort((a, b) => b - a));

    // Anyone else sees only what their own answers say.
    const own = await dashboardOf(USER_A, false);
    expect(own.routingValue!.answers).toBe(routed.length / 2);
  });

});
