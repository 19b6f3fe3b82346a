/**
 * Answers' outcomes are learned in batches after the answers (lib/learning/outcome-batch.ts):
 * nothing is written while an answer is under way, the batch is written once none is, in one
 * statement (one transaction on PostgreSQL), and leaves the routing posteriors and parameter arms exactly as recording each
 * outcome on its own would; a full batch is written at once, under load too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "../support/db";
import { useDatabase, type Database } from "../../lib/db";
import { learningState, recordOutcome, recordParamsOutcome, resetLearningCache, type LearnedOutcome } from "../../lib/learning/store";
import { answerUnderWay, flushOutcomes, learnLater, MAX_BATCH, MAX_WAIT_MS, pendingOutcomes } from "../../lib/learning/outcome-batch";
import { paramArmsFor, paramsKey } from "../../lib/learning/params";

let db: Database;
beforeAll(async () => {
  db = await createTestDb();
  useDatabase(db);
  resetLearningCache();
});
afterAll(() => db?.close());

/** Counts what `fn` sends the database: statements outside a transaction and transactions. */
async function writesDuring(fn: () => Promise<unknown>): Promise<number> {
  let n = 0;
  const query = db.query.bind(db);
  const transaction = db.transaction.bind(db);
  db.query = ((sql: string, params?: unknown[]) => (n++, query(sql, params))) as typeof db.query;
  db.transaction = ((work: Parameters<typeof db.transaction>[0]) => (n++, transaction(work))) as typeof db.transaction;
  try {
    await fn();
  } finally {
    db.query = query;
    db.transaction = transaction;
  }
  return n;
}

const arm = paramArmsFor("debugging")[1].id;
const outcomesFor = (model: string, i: number): LearnedOutcome[] => [
  { kind: "performance", taskType: "debugging", model, reward: i % 3 === 0 ? 0 : 0.7, success: i % 3 !== 0, responseTimeMs: 100 + i, now: 1_000 + i },
  { kind: "parameters", taskType: "debugging", model, armId: arm, quality: i % 3 === 0 ? 0 : 0.7, normalizedLatency: 0.01 * i, now: 1_000 + i },
];

describe("outcomes learned in batches", () => {
  it("wait while an answer is under way, then go in one statement and leave the state as one-by-one recording does", async () => {
    // The reference: the same outcomes recorded one by one, for another model.
    for (let i = 0; i < 6; i++) {
      const [perf, params] = outcomesFor("one-by-one", i);
      if (perf.kind !== "performance" || perf.reward === null || params.kind !== "parameters") throw new Error("unreachable");
      await recordOutcome({ ...perf, reward: perf.reward, taskType: perf.taskType, model: perf.model });
      await recordParamsOutcome({ model: params.model, taskType: params.taskType, armId: params.armId, quality: params.quality, normalizedLatency: params.normalizedLatency, now: params.now });
    }

    const ended = answerUnderWay();
    const started = Date.now();
    let written = false;
    const queued = Promise.all(Array.from({ length: 6 }, (_, i) => learnLater(outcomesFor("batched", i)))).then(() => (written = true));
    // A quiet moment never came (an answer is under way) and the batch is far from full:
    // nothing is written, unless this machine stalled past the longest wait.
    await new Promise((r) => setTimeout(r, 30));
    if (Date.now() - started < MAX_WAIT_MS) {
      expect(written).toBe(false);
      expect((await learningState()).performance["batched::debugging"]).toBeUndefined();
    }
    const writes = await writesDuring(async () => {
      ended();
      await queued;
    });
    expect(written).toBe(true);
    expect(writes).toBe(1); // one statement (on PostgreSQL: one transaction, with the change notices)

    const state = await learningState();
    const perf = (m: string) => state.performance[`${m}::debugging`];
    expect(perf("batched")?.evidence?.alpha).toBeCloseTo(perf("one-by-one")!.evidence!.alpha, 9);
    expect(perf("batched")?.evidence?.beta).toBeCloseTo(perf("one-by-one")!.evidence!.beta, 9);
    expect(perf("batched")!.outcomes).toBe(6);
    expect(perf("batched")!.successes).toBe(perf("one-by-one")!.successes);
    expect(perf("batched")!.latencySum).toBe(perf("one-by-one")!.latencySum);
    expect(perf("batched")!.latencyN).toBe(6);
    expect(perf("batched")!.evidence?.updatedAt).toBe(perf("one-by-one")!.evidence!.updatedAt);
    // The row took its six outcomes in one update, not six.
    expect(perf("one-by-one")!.rev).toBe(6);
    expect(perf("batched")!.rev).toBe(1);
    const revs = await db.query<{ model_name: string; rev: string }>(
      "select model_name, pattern_data ->> 'rev' as rev from learning_patterns where pattern_type = 'parameters' and task_type = 'debugging' and model_name in ('batched', 'one-by-one')",
    );
    expect(Object.fromEntries(revs.rows.map((r) => [r.model_name, Number(r.rev)]))).toEqual({ "one-by-one": 6, batched: 1 });
    expect(state.params[paramsKey("batched", "debugging")]?.[arm]).toEqual(state.params[paramsKey("one-by-one", "debugging")]?.[arm]);
    // And in the database, as another instance (or a restart) would read it.
    resetLearningCache();
    const reread = await learningState();
    expect(reread.policy.debugging?.batched?.alpha).toBeCloseTo(perf("one-by-one")!.evidence!.alpha, 9);
    expect(reread.params[paramsKey("batched", "debugging")]?.[arm]?.alpha).toBeCloseTo(state.params[paramsKey("one-by-one", "debugging")]![arm].alpha, 9);
  });

  it("writes a full batch at once, while answers are still under way", async () => {
    const ended = answerUnderWay();
    try {
      const full = Array.from({ length: Math.ceil(MAX_BATCH / 2) }, (_, i) => {
        expect(pendingOutcomes()).toBe(2 * i); // short of a full batch: it waits
        return learnLater(outcomesFor("under-load", i));
      });
      expect(pendingOutcomes()).toBe(0); // full: taken for writing at once, no timer waited for
      await Promise.all(full);
      expect((await learningState()).performance["under-load::debugging"]?.outcomes).toBe(Math.ceil(MAX_BATCH / 2));
    } finally {
      ended();
    }
  });

  it("counts an attempt that was not served in the model's record, and keeps it out of the posterior of its answers", async () => {
    const answered: LearnedOutcome = { kind: "performance", taskType: "math", model: "served", reward: 0.8, success: true, responseTimeMs: 50, now: 2_000 };
    await learnLater([answered, { ...answered, reward: null, success: false, responseTimeMs: 3_000, now: 2_001 }]);
    await flushOutcomes();
    const row = (await learningState()).performance["served::math"]!;
    expect(row.outcomes).toBe(2);
    expect(row.successes).toBe(1);
    expect(row.latencySum).toBe(3_050);
    // The evidence is the one answer's: 0.8 of a success, 0.2 of a failure.
    expect(row.evidence?.alpha).toBeCloseTo(0.8, 12);
    expect(row.evidence?.beta).toBeCloseTo(0.2, 12);
    // Not served at all yet: counted, with no evidence to route by.
    await learnLater([{ ...answered, model: "never-served", reward: null, success: false }]);
    await flushOutcomes();
    const state = await learningState();
    expect(state.performance["never-served::math"]?.outcomes).toBe(1);
    expect(state.policy.math?.["never-served"]).toBeUndefined();
  });

  it("flushOutcomes writes what is queued at once; an unknown arm is refused when queued, not lost with the batch", async () => {
    const ended = answerUnderWay();
    try {
      expect(() => learnLater([{ kind: "parameters", taskType: "debugging", model: "m", armId: "no-such-arm", quality: 1, normalizedLatency: 0, now: 1 }])).toThrow(/unknown parameter arm/);
      const queued = learnLater(outcomesFor("flushed", 1));
      await flushOutcomes();
      await queued;
      expect((await learningState()).performance["flushed::debugging"]?.outcomes).toBe(1);
    } finally {
      ended();
    }
  });
});
