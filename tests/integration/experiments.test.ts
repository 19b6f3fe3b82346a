import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOrchestrator, identityOf, ask } from "../support/orchestrator";
import { OPERATOR, USER_A, userClaims } from "../support/db";
import { withClaims } from "../../lib/db/session";
import { asSystem } from "../../lib/db";
import { insertAdaptation } from "../../lib/db/queries/adaptations";
import { putSetting } from "../../lib/db/queries/app-settings";
import { learnFromFeedback } from "../../lib/learning/feedback";
import { approveAdaptation, checkExperiment, startExperiment, stopExperiment } from "../../lib/learning/engine";
import { runAnalysis } from "../../lib/learning/director";
import { assignArm } from "../../lib/learning/assign";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";
import { fingerprintOf } from "../../lib/learning/proposal-fingerprint";
import type { ProposedChange } from "../../lib/learning/proposals";

/**
 * A/B experiments through the real orchestrator: sticky arms, promotion, stopping, and the
 * automatic rollback on a guardrail breach (the variant's answers fail).
 */
let env: Awaited<ReturnType<typeof startOrchestrator>>;
const alice = identityOf(USER_A);
const operator = identityOf(OPERATOR, true);
const deepseek = DEFAULT_ROLE_MODELS.lead_developer;
let n = 0;

beforeAll(async () => {
  env = await startOrchestrator();
  // Small experiments: decisions at 3, 6, 9 and 12 outcomes per arm.
  await asSystem(async (tx) => {
    await putSetting(tx, { key: "learning.min_samples", value: 3, by: "test" });
    // Latency is wall-clock time: keep the p95 guardrail out of these tests (it has unit tests).
    await putSetting(tx, { key: "learning.guardrails", value: { maxErrorRateIncrease: 0.15, maxP95Ratio: 1.5, minP95IncreaseMs: 600000, minSamples: 5 }, by: "test" });
  });
});
afterAll(() => env.close());
beforeEach(() => env.sim.clearFaults());

async function propose(change: ProposedChange) {
  return asSystem((tx) =>
    insertAdaptation(tx, {
      kind: change.type === "set_params" ? "parameters" : "system_prompt",
      title: `test proposal ${++n}`,
      description: "",
      model_name: deepseek,
      task_type: "code_generation",
      proposed_change: change,
      evidence: { count: 1, examples: [] },
      expected_effect: {},
      risk: "low",
      fingerprint: `${fingerprintOf(change)}:${n}`,
      base_version_id: null,
    }),
  );
}

const promptChange = (i: number): ProposedChange => ({ type: "append_instruction", role: "lead_developer", taskType: "code_generation", instruction: `Experiment instruction ${i}.` });

async function experiment(id: string) {
  const { rows } = await env.db.query<{ status: string; end_reason: string | null; stats: { pVariantBetter?: number; control?: { n: number }; variant?: { n: number } }; variant_version_id: string; control_version_id: string; adaptation_id: string }>(
    "select status, end_reason, stats, variant_version_id, control_version_id, adaptation_id from experiments where id = $1",
    [id],
  );
  return rows[0];
}
async function label(l: string) {
  const { rows } = await env.db.query<{ version_id: string }>("select version_id from config_labels where label = $1", [l]);
  return rows[0]?.version_id ?? null;
}

/** One conversation per request; the rating the users of each arm give decides the winner. */
async function drive(experimentId: string, ratings: { control: number; variant: number }, maxRequests = 80, variantFails = false) {
  for (let i = 0; i < maxRequests; i++) {
    const conversationId = await newConversation();
    const arm = assignArm(conversationId, experimentId, 0.5);
    if (variantFails && arm === "variant") env.sim.setFaults([{ fault: "http500" }]);
    else env.sim.clearFaults();
    const r = await ask(alice, { conversationId, prompt: `Write a Python function number ${i} that sums a list.`, model: deepseek });
    if (r.end?.type === "done") await learnFromFeedback(alice, { interactionId: r.interactionId, rating: ratings[arm] });
    await checkExperiment(experimentId); // the periodic check, after the feedback
    if ((await experiment(experimentId)).status !== "running") return i + 1;
  }
  return maxRequests;
}

async function newConversation(): Promise<string> {
  const { rows } = await env.db.query<{ id: string }>("insert into conversations (user_id, title) values ($1, 'exp') returning id", [USER_A]);
  return rows[0].id;
}

describe("experiments", () => {
  it("assign arms sticky per conversation and record them on each interaction", async () => {
    const a = await propose(promptChange(0));
    const e = await startExperiment({ kind: "operator", identity: operator }, { adaptationId: a.id, trafficSplit: 0.5 });
    expect(await label("candidate")).toBe(e.variant_version_id);
    const arms = { control: 0, variant: 0 };
    for (let c = 0; arms.control < 3 || arms.variant < 3; c++) {
      const conversationId = await newConversation();
      const expected = assignArm(conversationId, e.id, 0.5);
      if (arms[expected] >= 3) continue;
      arms[expected]++;
      for (let k = 0; k < 2; k++) {
        const state = await experiment(e.id);
        expect(state.status, `ended early: ${state.end_reason}`).toBe("running");
        const r = await ask(alice, { conversationId, prompt: `Write a Python function that adds ${c} and ${k}.`, model: deepseek });
        const { rows } = await env.db.query<{ experiment_id: string; experiment_arm: string; config_version_id: string }>(
          "select experiment_id, experiment_arm, config_version_id from interactions where id = $1",
          [r.interactionId],
        );
        expect(rows[0]).toEqual({
          experiment_id: e.id,
          experiment_arm: expected,
          config_version_id: expected === "variant" ? e.variant_version_id : e.control_version_id,
        });
      }
    }
    // While it runs, production cannot change and no second experiment starts.
    const b = await propose(promptChange(1));
    await expect(approveAdaptation({ kind: "operator", identity: operator }, { id: b.id })).rejects.toThrow(/experiment is running/);
    await expect(startExperiment({ kind: "operator", identity: operator }, { adaptationId: b.id })).rejects.toThrow(/one at a time/);
    await expect(stopExperiment({ kind: "operator", identity: alice }, { id: e.id, reason: "x" })).rejects.toThrow(/Only operators/);
    await stopExperiment({ kind: "operator", identity: operator }, { id: e.id, reason: "done watching" });
    expect((await experiment(e.id)).status).toBe("stopped");
    expect(await label("candidate")).toBeNull();
  });

  it("promotes a variant users clearly prefer: its version becomes production", async () => {
    const before = await label("production");
    const a = await propose(promptChange(2));
    const e = await startExperiment({ kind: "operator", identity: operator }, { adaptationId: a.id });
    await drive(e.id, { control: 1, variant: 5 });
    const done = await experiment(e.id);
    expect(done.status).toBe("promoted");
    expect(done.end_reason).toMatch(/P\(variant better\) = (1\.000|0\.9\d+) ≥/);
    expect(done.stats.pVariantBetter).toBeGreaterThan(0.95);
    expect(await label("production")).toBe(e.variant_version_id);
    expect(await label("production")).not.toBe(before);
    expect(await label("candidate")).toBeNull();
    const { rows } = await env.db.query<{ status: string }>("select status from adaptations where id = $1", [a.id]);
    expect(rows[0].status).toBe("promoted");
    const audit = await env.db.query<{ actor: string }>("select actor from audit_log where action = 'experiment.promote' and target_id = $1", [e.id]);
    expect(audit.rows).toEqual([{ actor: "system" }]);
  });

  it("stops a variant users clearly dislike: production stays", async () => {
    const before = await label("production");
    const a = await propose(promptChange(3));
    const e = await startExperiment({ kind: "operator", identity: operator }, { adaptationId: a.id });
    await drive(e.id, { control: 5, variant: 1 });
    const done = await experiment(e.id);
    expect(done.status).toBe("stopped");
    expect(done.end_reason).toMatch(/P\(variant better\) = 0\.0\d+ ≤/);
    expect(await label("production")).toBe(before);
    const { rows } = await env.db.query<{ status: string }>("select status from adaptations where id = $1", [a.id]);
    expect(rows[0].status).toBe("rejected");
  });

  it("rolls itself back when the variant breaches the error-rate guardrail, with the reason recorded", async () => {
    const before = await label("production");
    const a = await propose({ type: "set_params", model: deepseek, taskType: "code_generation", params: { temperature: 0.5, num_predict: 1024, num_ctx: 4096 } });
    const e = await startExperiment({ kind: "operator", identity: operator }, { adaptationId: a.id });
    await drive(e.id, { control: 5, variant: 5 }, 80, true);
    const done = await experiment(e.id);
    expect(done.status).toBe("rolled_back");
    expect(done.end_reason).toMatch(/^guardrail: the variant's error rate 100% exceeds the control's 0%/);
    expect(await label("production")).toBe(before);
    expect(await label("candidate")).toBeNull();
    const { rows } = await env.db.query<{ status: string; decision_reason: string }>("select status, decision_reason from adaptations where id = $1", [a.id]);
    expect(rows[0].status).toBe("rolled_back");
    expect(rows[0].decision_reason).toMatch(/guardrail/);
    const audit = await env.db.query<{ reason: string }>("select reason from audit_log where action = 'experiment.rollback' and target_id = $1", [e.id]);
    expect(audit.rows[0].reason).toMatch(/guardrail/);
  });

  it("with autonomy on, a low-risk parameter proposal starts as an experiment by itself (never straight to production)", async () => {
    await asSystem(async (tx) => {
      await putSetting(tx, { key: "learning.autonomy", value: true, by: "test" });
      // The analysis window starts now: only the interactions below are in it.
      await putSetting(tx, { key: "learning.last_analysis", value: { until: new Date().toISOString() }, by: "test" });
    });
    const before = await label("production");
    // Two parameter arms with clearly different outcomes for (deepseek, code_generation).
    const insert = async (params: { temperature: number; num_predict: number; num_ctx: number }, rating: number, count: number) => {
      for (let i = 0; i < count; i++) {
        const conversationId = await newConversation();
        await env.db.query(
          `insert into interactions (conversation_id, user_id, user_prompt, model_used, task_type, status, success_rating, routing_decision, feedback, response_time)
           values ($1, $2, 'Write code', $3, 'code_generation', 'completed', $4, $5::jsonb, '{}'::jsonb, 100)`,
          [conversationId, USER_A, deepseek, rating, JSON.stringify({ params, attempts: [{ model: deepseek, ok: true }] })],
        );
      }
    };
    await insert({ temperature: 0.2, num_predict: 1024, num_ctx: 4096 }, 2, 14);
    await insert({ temperature: 0.2, num_predict: 2048, num_ctx: 8192 }, 5, 12);
    const summary = await runAnalysis({ actorId: "system" });
    const p = summary.proposals.find((x) => x.kind === "parameters");
    expect(p).toMatchObject({ risk: "low" });
    expect(summary.experimentsStarted).toHaveLength(1);
    const e = await experiment(summary.experimentsStarted[0]);
    expect(e.status).toBe("running");
    expect(e.adaptation_id).toBe(p!.id);
    expect(await label("production")).toBe(before);
    await stopExperiment({ kind: "operator", identity: operator }, { id: summary.experimentsStarted[0], reason: "test over" });
    await asSystem((tx) => putSetting(tx, { key: "learning.autonomy", value: false, by: "test" }));
  });

  it("counts only what the server recorded, once per conversation: forged rows are refused and a long conversation is one outcome", async () => {
    const a = await propose(promptChange(7));
    const e = await startExperiment({ kind: "operator", identity: operator }, { adaptationId: a.id, trafficSplit: 0.5 });
    // A signed-in user tries to promote the candidate with forged successes in their own conversation.
    const conversationId = await newConversation();
    const forge = withClaims(env.db, userClaims(USER_A), (tx) =>
      tx.query(
        `insert into interactions (conversation_id, user_id, user_prompt, status, model_used, success_rating, experiment_id, experiment_arm)
         select $1, $2, 'forged', 'completed', $3, 5, $4, 'variant' from generate_series(1, 50)`,
        [conversationId, USER_A, deepseek, e.id],
      ),
    );
    await expect(forge).rejects.toThrow(/permission denied/);
    // Five answers in one conversation: one outcome for its arm.
    for (let k = 0; k < 5; k++) await ask(alice, { conversationId, prompt: `Write a Python function that doubles ${k}.`, model: deepseek });
    await checkExperiment(e.id);
    const stats = (await experiment(e.id)) as unknown as { stats: { control: { n: number }; variant: { n: number } } };
    expect(stats.stats.control.n + stats.stats.variant.n).toBe(1);
    await stopExperiment({ kind: "operator", identity: operator }, { id: e.id, reason: "test over" });
  });
});
