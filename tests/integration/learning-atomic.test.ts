/**
 * The learning state's updates are atomic SQL (private.record_* functions): they give what the
 * reducers in lib/learning give, concurrent updates lose nothing, and a change written by
 * another instance reaches this one's cache through the change notification. Runs on PGlite
 * and, under `npm run test:postgres`, on the PostgreSQL server with a second connection pool
 * standing in for the other instance (tests/postgres/ runs real second processes).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, urlOf } from "../support/db";
import { asSystem, useDatabase, type Database } from "../../lib/db";
import { openPostgres } from "../../lib/db/postgres";
import { announce } from "../../lib/db/changes";
import { addModelOutcome } from "../../lib/db/queries/learning";
import { correctOutcome, correctParamsOutcome, dropOutcome, learningState, recordFallbackTrail, recordOutcome, recordOutcomes, recordParamsOutcome, recordVoterOutcome, resetLearningCache } from "../../lib/learning/store";
import { correctPolicy, DEFAULT_POLICY_OPTIONS, dropPolicy, updatePolicy, type PolicyState } from "../../lib/learning/policy";
import { correctParams, paramArmsFor, paramsKey, paramsReward, updateParams, type ParamsState } from "../../lib/learning/params";
import { recordFallbackOutcome, type FallbackStats } from "../../lib/learning/fallback";
import { DEFAULT_VOTER_WEIGHTS, updateVoterWeights, VOTERS, type VoterWeights } from "../../lib/learning/ensemble";
import { TASK_TYPES, type TaskType } from "../../lib/domain";
import { seededRng } from "../../lib/learning/random";
import { insertEntry } from "../../lib/db/queries/knowledge";
import { correctKnowledgeOutcome, recordKnowledgeOutcome } from "../../lib/knowledge/manager";

let db: Database;
beforeAll(async () => {
  db = await createTestDb();
  useDatabase(db);
  resetLearningCache();
});
afterAll(() => db?.close());

const MODELS = ["deepseek-coder:6.7b", "mathstral", "qwen2.5-coder:7b"];

function closeTo(actual: unknown, expected: unknown, path = "state"): void {
  if (typeof expected === "number") {
    expect(actual, path).toBeCloseTo(expected, 9);
  } else if (expected && typeof expected === "object") {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected)) closeTo((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else expect(actual, path).toEqual(expected);
}

describe("atomic learning updates", () => {
  it("give exactly what the reducers give, in the cache and read back from the database", async () => {
    const rng = seededRng(5);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];
    let policy: PolicyState = {};
    let params: ParamsState = {};
    let fallback: FallbackStats = {};
    let voters: VoterWeights = DEFAULT_VOTER_WEIGHTS;
    let now = 1_700_000_000_000;
    for (let i = 0; i < 60; i++) {
      now += 1000;
      const taskType = pick(TASK_TYPES) as TaskType;
      const model = pick(MODELS);
      const reward = Math.round(rng() * 100) / 100;
      await recordOutcome({ taskType, model, reward, success: reward > 0.5, now });
      policy = updatePolicy(policy, { taskType, model, reward, now }, DEFAULT_POLICY_OPTIONS);
      const armId = pick(paramArmsFor(taskType)).id;
      const quality = rng();
      await recordParamsOutcome({ model, taskType, armId, quality, normalizedLatency: 0.5, now });
      params = updateParams(params, { model, taskType, armId, quality, normalizedLatency: 0.5, now });
      const attempts = [{ model: pick(MODELS), ok: false }, { model: pick(MODELS), ok: rng() < 0.6 }, { model: pick(MODELS), ok: true }];
      await recordFallbackTrail({ taskType, attempts });
      fallback = recordFallbackOutcome(fallback, { taskType, attempts });
      const votes = VOTERS.map((name) => ({ name, taskType: pick(TASK_TYPES) as TaskType }));
      await recordVoterOutcome({ votes, outcome: taskType });
      voters = updateVoterWeights(voters, { votes, outcome: taskType });
    }
    for (const read of ["cache", "database"] as const) {
      if (read === "database") resetLearningCache();
      const state = await learningState();
      closeTo(state.policy, policy, `${read}.policy`);
      closeTo(state.params, params, `${read}.params`);
      closeTo(state.fallback, fallback, `${read}.fallback`);
      closeTo(state.voters, voters, `${read}.voters`);
    }
  });

  it("detect a change as the reducer does: a model that starts failing restarts its long memory, in SQL too", async () => {
    let policy: PolicyState = {};
    let now = 1_700_000_500_000;
    let restarted = false;
    for (let i = 0; i < 160; i++) {
      now += 1000;
      const reward = i < 100 ? (i % 10 < 9 ? 1 : 0) : i % 10 < 1 ? 1 : 0; // 0.9, then 0.1
      const before = policy.debugging?.["drifting-model"];
      await recordOutcome({ taskType: "debugging", model: "drifting-model", reward, success: reward > 0.5, now });
      policy = updatePolicy(policy, { taskType: "debugging", model: "drifting-model", reward, now }, DEFAULT_POLICY_OPTIONS);
      const after = policy.debugging!["drifting-model"];
      if (before && after.alpha + after.beta < before.alpha + before.beta) restarted = true;
    }
    expect(restarted).toBe(true);
    for (const read of ["cache", "database"] as const) {
      if (read === "database") resetLearningCache();
      closeTo((await learningState()).policy.debugging?.["drifting-model"], policy.debugging!["drifting-model"], `${read}.drifting`);
    }
  });

  it("correct an answer's reward as the reducer does: the evidence moves by the change, the amount stays, never below zero", async () => {
    const rng = seededRng(9);
    let policy: PolicyState = {};
    let now = 1_700_000_900_000;
    for (let i = 0; i < 80; i++) {
      now += 1000;
      const reward = rng() < 0.6 ? 0.7 : 0.2;
      await recordOutcome({ taskType: "explanation", model: "corrected-model", reward, success: reward > 0.5, now });
      policy = updatePolicy(policy, { taskType: "explanation", model: "corrected-model", reward, now }, DEFAULT_POLICY_OPTIONS);
      if (rng() < 0.5) {
        const to = rng() < 0.5 ? 0 : 1;
        const before = policy.explanation!["corrected-model"];
        await correctOutcome({ taskType: "explanation", model: "corrected-model", from: reward, to, now });
        policy = correctPolicy(policy, { taskType: "explanation", model: "corrected-model", from: reward, to, now });
        const after = policy.explanation!["corrected-model"];
        expect(after.alpha + after.beta).toBeCloseTo(before.alpha + before.beta, 9);
        expect(after.alpha - before.alpha).toBeCloseTo(to - reward, 9);
      }
    }
    // The parameter arm the answers ran with, the same way.
    let params: ParamsState = {};
    const armId = paramArmsFor("explanation")[0].id;
    for (let i = 0; i < 30; i++) {
      now += 1000;
      const quality = rng() < 0.6 ? 0.7 : 0.2;
      await recordParamsOutcome({ model: "corrected-model", taskType: "explanation", armId, quality, normalizedLatency: 0.1, now });
      params = updateParams(params, { model: "corrected-model", taskType: "explanation", armId, quality, normalizedLatency: 0.1, now });
      if (rng() < 0.5) {
        const from = paramsReward({ quality, normalizedLatency: 0.1 });
        const to = paramsReward({ quality: rng() < 0.5 ? 0 : 1, normalizedLatency: 0.1 });
        await correctParamsOutcome({ model: "corrected-model", taskType: "explanation", armId, from, to, now });
        params = correctParams(params, { model: "corrected-model", taskType: "explanation", armId, from, to, now });
      }
    }
    // An answer moved to another task type: its outcome taken out again.
    for (const reward of [0.7, 0.2, 1]) {
      await dropOutcome({ taskType: "explanation", model: "corrected-model", reward, now });
      policy = dropPolicy(policy, { taskType: "explanation", model: "corrected-model", reward, now });
    }
    // A correction on an arm with nothing in it stays at zero rather than below.
    await correctOutcome({ taskType: "explanation", model: "empty-model", from: 0.7, to: 0, now });
    policy = correctPolicy(policy, { taskType: "explanation", model: "empty-model", from: 0.7, to: 0, now });
    expect(policy.explanation!["empty-model"]).toMatchObject({ alpha: 0, beta: 0.7 });
    for (const read of ["cache", "database"] as const) {
      if (read === "database") resetLearningCache();
      closeTo((await learningState()).params[paramsKey("corrected-model", "explanation")], params[paramsKey("corrected-model", "explanation")], `${read}.params`);
      const arms = (await learningState()).policy.explanation!;
      closeTo({ c: arms["corrected-model"], e: arms["empty-model"] }, { c: policy.explanation!["corrected-model"], e: policy.explanation!["empty-model"] }, `${read}.corrected`);
    }
  });

  it("record a batch of outcomes (editors' completions) as the same outcomes one by one, in order, change detection included", async () => {
    let policy: PolicyState = {};
    const now = 1_700_000_900_000;
    // Two models interleaved; "batch-drifting" goes from 0.9 to 0.1 inside the second batch.
    const outcomes = Array.from({ length: 320 }, (_, i) => {
      const model = i % 2 === 0 ? "batch-drifting" : "batch-steady";
      const k = i >> 1;
      const reward = model === "batch-steady" ? 0.6 : k < 100 ? (k % 10 < 9 ? 1 : 0) : k % 10 < 1 ? 1 : 0;
      return { taskType: "completion" as const, model, reward, success: reward > 0.5, responseTimeMs: 5 + (i % 3) };
    });
    let restarted = false;
    for (const batch of [outcomes.slice(0, 210), outcomes.slice(210)]) {
      await recordOutcomes(batch, now);
      for (const o of batch) {
        const before = policy.completion?.[o.model];
        policy = updatePolicy(policy, { taskType: "completion", model: o.model, reward: o.reward, now }, DEFAULT_POLICY_OPTIONS);
        const after = policy.completion![o.model];
        if (before && after.alpha + after.beta < before.alpha + before.beta) restarted = true;
      }
    }
    expect(restarted).toBe(true); // the long memory restarted inside a batch, so the comparison below covers it
    const drifting = outcomes.filter((o) => o.model === "batch-drifting");
    for (const read of ["cache", "database"] as const) {
      if (read === "database") resetLearningCache();
      const state = await learningState();
      for (const model of ["batch-drifting", "batch-steady"]) closeTo(state.policy.completion?.[model], policy.completion![model], `${read}.${model}`);
      expect(state.performance["batch-drifting::completion"]).toMatchObject({
        outcomes: 160,
        successes: drifting.filter((o) => o.success).length,
        latencyN: 160,
        latencySum: drifting.reduce((s, o) => s + o.responseTimeMs, 0),
        rev: 2, // one atomic update per batch
      });
    }
  });

  it("lose no update when many arrive at once", async () => {
    const n = 120;
    const reward = 0.75;
    await Promise.all(
      Array.from({ length: n }, () => recordOutcome({ taskType: "explanation", model: "concurrent-model", reward, success: true, responseTimeMs: 10, rating: 4 })),
    );
    await Promise.all(
      Array.from({ length: n }, (_, i) => recordFallbackTrail({ taskType: "explanation", attempts: [{ model: "a", ok: false }, { model: "rescuer", ok: i % 2 === 0 }] })),
    );
    const d = DEFAULT_POLICY_OPTIONS.discount;
    const expectedAlpha = (reward * (1 - d ** n)) / (1 - d); // the same reward n times: order does not matter (and nothing changes, so no restart)
    for (const read of ["cache", "database"] as const) {
      if (read === "database") resetLearningCache();
      const state = await learningState();
      const perf = state.performance["concurrent-model::explanation"];
      expect(perf).toMatchObject({ outcomes: n, successes: n, latencyN: n, latencySum: 10 * n, ratingN: n, ratingSum: 4 * n, rev: n });
      expect(perf.evidence!.alpha).toBeCloseTo(expectedAlpha, 9);
      expect(state.fallback.explanation?.rescuer).toEqual({ rescueSuccess: n / 2, rescueTrials: n });
    }
    const { rows } = await db.query<{ success_rate: number; avg_response_time: number; user_satisfaction: number }>(
      "select success_rate, avg_response_time, user_satisfaction from model_performance where model_name = 'concurrent-model'",
    );
    expect(rows[0]).toEqual({ success_rate: 1, avg_response_time: 10, user_satisfaction: 4 });
  });

  it("carry another instance's change into this instance's cache through the notification", async () => {
    const before = await learningState();
    expect(before.performance["elsewhere-model::debugging"]).toBeUndefined();
    // The other instance: its own connections on the server (on PGlite, the one connection).
    const url = urlOf(db);
    const other = url ? openPostgres(url, { max: 2 }) : db;
    try {
      await other.transaction(async (tx) => {
        const data = await addModelOutcome(tx, { model: "elsewhere-model", taskType: "debugging", reward: 1, discount: 0.9, now: Date.now(), counted: true, success: true, latencyMs: null, rating: null });
        await announce(tx, { topic: "learning", kind: "performance", model: "elsewhere-model", taskType: "debugging", data: data as Record<string, unknown> });
      });
      // Wait on the state itself (the cache object is this process's; no re-read happens meanwhile).
      const deadline = Date.now() + 10_000;
      while (!(await learningState()).performance["elsewhere-model::debugging"] && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const after = await learningState();
      expect(after).toBe(before); // the same cached state, updated in place, not re-read
      expect(after.performance["elsewhere-model::debugging"]).toMatchObject({ outcomes: 1, rev: 1 });
      expect(after.policy.debugging?.["elsewhere-model"]?.alpha).toBe(1);
    } finally {
      if (other !== db) await other.close();
    }
  });

  it("knowledge outcomes on overlapping entries, in any order, at once: no deadlock, no lost use", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await asSystem((tx) => insertEntry(tx, { topic: `t${i}`, content: `c${i}`, source: "interaction_learning", status: "active", confidence: 0.5, contentHash: `atomic-${i}` })));
    }
    const orders = [[0, 1, 2], [2, 1, 0], [1, 0, 2], [2, 0, 1]];
    await Promise.all(Array.from({ length: 40 }, (_, i) => recordKnowledgeOutcome(orders[i % 4].map((k) => ids[k]), i % 2 === 0 ? 1 : 0)));
    const { rows } = await db.query<{ m: { uses: number; successes: number } }>("select metadata as m from knowledge_base where id = any($1::uuid[])", [ids]);
    expect(rows.map((r) => r.m)).toEqual([1, 2, 3].map(() => ({ prior: 0.5, uses: 40, successes: 20 })));
  });

  it("a knowledge outcome moves confidence up with a success and down with a failure, from the starting confidence", async () => {
    const id = await asSystem((tx) => insertEntry(tx, { topic: "t", content: "c", source: "interaction_learning", status: "active", confidence: 0.6, contentHash: "atomic-posterior" }));
    const read = async () => (await db.query<{ c: number; m: object }>("select confidence::float8 as c, metadata as m from knowledge_base where id = $1", [id])).rows[0];
    await recordKnowledgeOutcome([id, id], 1); // one answer, one use, however often it cites the entry
    const up = await read();
    expect(up.c).toBeCloseTo((0.6 * 4 + 1) / 5, 6);
    expect(up.m).toEqual({ prior: 0.6, uses: 1, successes: 1 });
    await recordKnowledgeOutcome([id], 0);
    const down = await read();
    expect(down.c).toBeCloseTo((0.6 * 4 + 1) / 6, 6);
    expect(down.c).toBeLessThan(up.c);
    // An answer already counted changes its reward (0 → 0.75): a share of success more, not a use.
    await correctKnowledgeOutcome([id], { from: 0, to: 0.75 });
    expect((await read()).m).toEqual({ prior: 0.6, uses: 2, successes: 1.75 });
    expect((await read()).c).toBeCloseTo((0.6 * 4 + 1.75) / 6, 6);
    await correctKnowledgeOutcome([id], { from: 0.75, to: 0 });
    expect((await read()).c).toBeCloseTo(down.c, 6);
    for (let i = 0; i < 400; i++) await recordKnowledgeOutcome([id], 0);
    expect((await read()).c).toBe(0.01); // never certain either way
  });
});
