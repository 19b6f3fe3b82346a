/**
 * The Learning Director argues for a routing rule from the learned policy's own log: when, on
 * the answers it routed for a task type, one model would have done clearly better than what
 * was routed, an operator gets a proposal with that evidence (and only once). Through the real
 * director, database and simulator (which writes the rationale); on PGlite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOrchestrator } from "../support/orchestrator";
import { USER_A } from "../support/db";
import { runAnalysis } from "../../lib/learning/director";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";
import { seededRng } from "../../lib/learning/random";

let env: Awaited<ReturnType<typeof startOrchestrator>>;
beforeAll(async () => {
  env = await startOrchestrator();
});
afterAll(() => env.close());

const LEAD = DEFAULT_ROLE_MODELS.lead_developer;
const MATH = DEFAULT_ROLE_MODELS.math;

/** `n` finished answers of one task type the policy routed: LEAD drawn with chance pLead, each rated by its model's rate. */
async function routedAnswers(taskType: string, n: number, pLead: number, rates: Record<string, number>, seed: number) {
  const rng = seededRng(seed);
  const { rows } = await env.db.query<{ id: string }>("insert into conversations (user_id, title) values ($1, 'routed') returning id", [USER_A]);
  for (let i = 0; i < n; i++) {
    const model = rng() < pLead ? LEAD : MATH;
    const good = rng() < rates[model];
    const draw = { model, propensity: model === LEAD ? pLead : 1 - pLead, eligible: [LEAD, MATH], table: LEAD };
    await env.db.query(
      `insert into interactions (conversation_id, user_id, user_prompt, model_used, task_type, status, feedback, routing_decision, response_time)
       values ($1, $2, 'a request', $3, $4, 'completed', $5::jsonb, $6::jsonb, 100)`,
      [rows[0].id, USER_A, model, taskType, JSON.stringify({ thumbs: good ? "up" : "down" }), JSON.stringify({ reason: "policy", draw, attempts: [{ model, ok: true }] })],
    );
  }
}

describe("routing rules from the learned policy's log", () => {
  it("proposes the model that would have answered a task type clearly better, with the estimate, and not again while it is open", async () => {
    await routedAnswers("debugging", 400, 0.85, { [LEAD]: 0.4, [MATH]: 0.85 }, 1);
    await routedAnswers("general", 400, 0.85, { [LEAD]: 0.6, [MATH]: 0.6 }, 2);

    const summary = await runAnalysis({ actorId: "system" });
    const rules = summary.proposals.filter((p) => p.kind === "routing_rule");
    expect(rules).toHaveLength(1);
    const { rows } = await env.db.query<{ proposed_change: unknown; evidence: { offPolicy: { model: string; gain: { lower: number }; estimate: number; learned: number; matched: number } }; description: string }>(
      "select proposed_change, evidence, description from adaptations where id = $1",
      [rules[0].id],
    );
    expect(rows[0].proposed_change).toEqual({ type: "prefer_model", taskType: "debugging", model: MATH });
    const ev = rows[0].evidence.offPolicy;
    expect(ev.model).toBe(MATH);
    expect(ev.gain.lower).toBeGreaterThan(0);
    expect(ev.estimate).toBeGreaterThan(ev.learned);
    expect(Math.abs(ev.estimate - 0.85)).toBeLessThan(0.12);
    expect(rows[0].description).toContain(MATH);
    // Its support is the answers MATH gave.
    expect(rules[0].supportedBy.length).toBe(ev.matched);

    const again = await runAnalysis({ actorId: "system" });
    expect(again.proposals.filter((p) => p.kind === "routing_rule")).toHaveLength(0);
    expect(again.skipped.some((s) => s.fingerprint === `routing_rule:debugging:${MATH}` && /open/.test(s.why))).toBe(true);
  });
});
