/**
 * The rollups match the interactions they summarise. Interactions go in through the app's
 * own query path (start, finish, feedback, under each user's RLS session), get re-rated,
 * re-thumbed, moved in time and deleted; then (1) the trigger-maintained rollups equal a
 * set-based rebuild, and (2) what the dashboard shows equals aggregates computed directly
 * from the raw interactions, in TypeScript, with the learning code's own reward function.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, OPERATOR, USER_A, USER_B, userClaims } from "../support/db";
import { withClaims } from "../../lib/db/session";
import type { Database, Queryable } from "../../lib/db/types";
import { createConversation, deleteConversation } from "../../lib/db/queries/conversations";
import { finishInteraction, startInteraction } from "../../lib/db/queries/interactions";
import { recordFeedback } from "../../lib/db/queries/interaction-feedback";
import { rebuildRollups } from "../../lib/db/queries/analytics";
import { insertHistoryBatch } from "../../lib/db/bulk-history";
import { generateDemoHistory } from "../../lib/analytics/demo-history";
import { buildDashboard } from "../../lib/analytics/dashboard";
import { latencyBucket, bucketEdges } from "../../lib/analytics/latency";
import { interactionReward, interactionSuccess, type AutoSignals, type OutcomeRow } from "../../lib/domain/reward";
import { armKey, currentArmKey } from "../../lib/domain/param-arm";
import { paramArmsFor } from "../../lib/learning/params";
import { seededRng } from "../../lib/learning/random";
import { TASK_TYPES } from "../../lib/domain";

let db: Database;
const operator = userClaims(OPERATOR, { operator: true });
const MODELS = ["openhermes", "mathstral", "deepseek-coder:6.7b", "codellama:7b-instruct", "wizardcoder"];
const NOW = Date.now();

const CLEAN: AutoSignals = { truncated: false, empty: false, refused: false, hasCodeBlock: true, codeExpected: false, mathAnswerPresent: true, mathExpected: false };

/** Interactions in many states, written the way the chat writes them. */
async function makeHistory() {
  const rng = seededRng(11);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];
  const conversations: { id: string; claims: ReturnType<typeof userClaims> }[] = [];
  for (const user of [USER_A, USER_B]) {
    const claims = userClaims(user);
    for (let i = 0; i < 4; i++) {
      const c = await withClaims(db, claims, (tx) => createConversation(tx, { title: `conversation ${i}` }));
      conversations.push({ id: c.id, claims });
    }
  }
  const ids: string[] = [];
  let previous: string | null = null;
  for (let n = 0; n < 160; n++) {
    const conv = pick(conversations);
    const taskType = pick(TASK_TYPES);
    const first = pick(MODELS);
    const params = rng() < 0.85 ? { temperature: pick([0.2, 0.5, 0.8]), num_predict: pick([512, 1024, 2048]), num_ctx: pick([4096, 8192]) } : {};
    const explored = rng() < 0.2;
    const decision = { taskType, model: first, explored, reason: "policy", params, attempts: [] as unknown[] };
    // The server records interactions (users cannot write them).
    const { id } = await db.transaction((tx) =>
      startInteraction(tx, { conversationId: conv.id, userId: conv.claims.sub, prompt: `prompt ${n}`, taskType, routingDecision: decision, modelUsed: first, parentId: rng() < 0.05 ? previous : null }),
    );
    ids.push(id);
    previous = id;
    const u = rng();
    if (u < 0.05) continue; // still running
    const attempts: { model: string; ok: boolean; reason: string | null; ms: number }[] = [];
    let status: "completed" | "failed" | "cancelled";
    let answered: string | null = first;
    if (u < 0.1) {
      status = "cancelled";
      attempts.push({ model: first, ok: false, reason: "cancelled", ms: 900 });
    } else {
      const chain = [first, ...MODELS.filter((m) => m !== first)];
      answered = null;
      for (const m of chain.slice(0, 3)) {
        if (rng() < 0.25) {
          attempts.push({ model: m, ok: false, reason: pick(["timeout", "http", "empty", "truncated"]), ms: 300 + rng() * 5000 });
        } else {
          attempts.push({ model: m, ok: true, reason: null, ms: 200 + rng() * 20_000 });
          answered = m;
          break;
        }
      }
      status = answered ? "completed" : "failed";
    }
    const auto: AutoSignals | undefined =
      status === "completed" ? (rng() < 0.1 ? undefined : { ...CLEAN, truncated: rng() < 0.15, refused: rng() < 0.05, codeExpected: rng() < 0.3, hasCodeBlock: rng() < 0.7 }) : undefined;
    await db.transaction((tx) =>
      finishInteraction(tx, {
        id,
        status,
        response: status === "completed" ? "answer" : "",
        modelUsed: status === "failed" ? null : answered,
        routingDecision: { ...decision, model: first, attempts },
        responseTimeMs: attempts.reduce((s, a) => s + a.ms, 0),
        feedback: auto ? { auto } : {},
      }),
    );
    // Feedback, sometimes changed later (a new rating, thumbs flipped, a copy, a correction).
    const rounds = status === "completed" ? Math.floor(rng() * 3) : 0;
    for (let k = 0; k < rounds; k++) {
      const f: Record<string, unknown> = {};
      let rating: number | null = null;
      const v = rng();
      if (v < 0.35) rating = 1 + Math.floor(rng() * 5);
      else if (v < 0.65) f.thumbs = rng() < 0.6 ? "up" : "down";
      else if (v < 0.8) f.copied = true;
      else if (v < 0.9) f.correction = "it should be 42";
      else f.tags = ["too_long"];
      await withClaims(db, conv.claims, (tx) => recordFeedback(tx, { id, rating, feedback: f }));
    }
  }
  // Spread the rows over hours and days (the system path, as a data fix would).
  for (const id of ids) {
    const hours = Math.floor(rng() * 24 * 10);
    if (rng() < 0.6) await db.query("update interactions set created_at = created_at - make_interval(hours => $2) where id = $1", [id, hours]);
  }
  // An answer text edit moves no number; a deleted conversation takes its interactions along.
  await db.query("update interactions set response = response || ' (edited)' where status = 'completed'");
  await withClaims(db, conversations[1].claims, (tx) => deleteConversation(tx, { id: conversations[1].id }));
  // And a realistic batch through the trigger path too.
  const [batch] = generateDemoHistory({ interactions: 400, batchSize: 400, days: 20, seed: 5, now: NOW });
  await insertHistoryBatch(db, batch, { triggersOff: false });
}

beforeAll(async () => {
  db = await createTestDb();
  await makeHistory();
}, 240_000);
afterAll(() => db?.close());

type Row = Record<string, unknown>;

async function snapshot(tx: Queryable): Promise<Record<string, Row[]>> {
  const norm = (rows: Row[]) =>
    rows
      .map((r) => JSON.stringify(r, (_k, v) => (typeof v === "number" && !Number.isInteger(v) ? Math.round(v * 1e6) / 1e6 : v)))
      .sort()
      .map((s) => JSON.parse(s) as Row);
  return {
    interaction_rollups: norm((await tx.query<Row>("select * from interaction_rollups where interactions <> 0 or latency_n <> 0 or judged <> 0")).rows),
    fallback_rollups: norm((await tx.query<Row>("select * from fallback_rollups where count <> 0")).rows),
    param_arm_rollups: norm((await tx.query<Row>("select * from param_arm_rollups where interactions <> 0")).rows),
  };
}

interface Raw {
  status: string;
  model: string;
  task_type: string | null;
  success_rating: number | null;
  feedback: Record<string, unknown>;
  routing_decision: { attempts?: { model: string; ok: boolean; reason: string | null }[]; explored?: boolean; model?: string };
  response_time: number | null;
  model_used: string | null;
}

/** The reward of one interaction: the product's one TypeScript definition (lib/domain/reward.ts). */
function tsReward(r: Raw): number | null {
  return interactionReward({ status: r.status, success_rating: r.success_rating, feedback: r.feedback as OutcomeRow["feedback"], response_time: r.response_time });
}

async function rawInteractions(): Promise<Raw[]> {
  const { rows } = await db.query<Raw>(
    "select status, coalesce(nullif(model_used, ''), nullif(routing_decision ->> 'model', ''), '') as model, task_type, success_rating, feedback, routing_decision, response_time, model_used from interactions",
  );
  return rows;
}

describe("analytics rollups", () => {
  it("covers what they should: many statuses, feedback, fallbacks and buckets", async () => {
    const { rows } = await db.query<{ statuses: number; days: number; fallbacks: number; rated: number }>(
      `select count(distinct status)::int as statuses, count(distinct date_trunc('day', created_at))::int as days,
         count(*) filter (where routing_decision -> 'attempts' @> '[{"ok": false}]')::int as fallbacks,
         count(success_rating)::int as rated from interactions`,
    );
    expect(rows[0].statuses).toBe(4);
    expect(rows[0].days).toBeGreaterThan(5);
    expect(rows[0].fallbacks).toBeGreaterThan(20);
    expect(rows[0].rated).toBeGreaterThan(20);
  });

  it("kept by the triggers equal a set-based rebuild", async () => {
    const live = await snapshot(db);
    expect(live.interaction_rollups.length).toBeGreaterThan(50);
    expect(live.fallback_rollups.length).toBeGreaterThan(10);
    expect(live.param_arm_rollups.length).toBeGreaterThan(50);
    await db.transaction((tx) => rebuildRollups(tx));
    const rebuilt = await snapshot(db);
    expect(live).toEqual(rebuilt);
  });

  it("give the dashboard the numbers of the raw interactions", async () => {
    const raw = await rawInteractions();
    const dash = await withClaims(db, operator, (tx) => buildDashboard(tx, { filters: { range: "all", model: null, taskType: null }, now: NOW }));
    const finished = raw.filter((r) => r.status === "completed" || r.status === "failed");
    const rewards = raw.map(tsReward).filter((x): x is number => x !== null);
    const rated = raw.filter((r) => r.success_rating !== null);
    const thumbs = raw.map((r) => r.feedback.thumbs).filter(Boolean);
    const fallbacks = finished.filter((r) => (r.routing_decision.attempts ?? []).some((a) => !a.ok && a.reason !== "cancelled"));

    expect(dash.kpis.interactions).toBe(raw.length);
    expect(dash.kpis.finished).toBe(finished.length);
    expect(dash.kpis.failed).toBe(raw.filter((r) => r.status === "failed").length);
    expect(dash.kpis.judged).toBe(rewards.length);
    expect(dash.kpis.successRate).toBeCloseTo(rewards.filter((x) => x >= 0.5).length / rewards.length, 10);
    expect(dash.kpis.rated).toBe(rated.length);
    expect(dash.kpis.satisfaction).toBeCloseTo(rated.reduce((s, r) => s + r.success_rating!, 0) / rated.length, 10);
    expect(dash.kpis.thumbsUpRate).toBeCloseTo(thumbs.filter((t) => t === "up").length / thumbs.length, 10);
    expect(dash.kpis.fallbackRate).toBeCloseTo(fallbacks.length / finished.length, 10);
    expect(dash.kpis.explorationRate).toBeCloseTo(finished.filter((r) => r.routing_decision.explored === true).length / finished.length, 10);

    // Percentiles: within the width of one histogram bucket of the exact value.
    const lat = raw.filter((r) => r.status === "completed" && r.response_time !== null).map((r) => r.response_time!).sort((a, b) => a - b);
    const exact = (p: number) => lat[Math.ceil(p * lat.length) - 1];
    for (const [p, got] of [[0.5, dash.kpis.p50], [0.95, dash.kpis.p95]] as const) {
      const [lo, hi] = bucketEdges(latencyBucket(exact(p)));
      expect(got!).toBeGreaterThanOrEqual(lo * 0.999);
      expect(got!).toBeLessThanOrEqual(hi * 1.001);
    }
  });

  it("give the heatmap each model × task type's success rate", async () => {
    const raw = await rawInteractions();
    const dash = await withClaims(db, operator, (tx) => buildDashboard(tx, { filters: { range: "all", model: null, taskType: null }, now: NOW }));
    let checked = 0;
    dash.heatmap.models.forEach((m, i) =>
      dash.heatmap.taskTypes.forEach((t, j) => {
        const rewards = raw.filter((r) => r.model === m && (r.task_type ?? "") === t).map(tsReward).filter((x): x is number => x !== null);
        const cell = dash.heatmap.cells[i][j];
        expect(cell.judged, `${m} × ${t}`).toBe(rewards.length);
        if (rewards.length === 0) expect(cell.rate).toBeNull();
        else expect(cell.rate!).toBeCloseTo(rewards.filter((x) => x >= 0.5).length / rewards.length, 10);
        checked++;
      }),
    );
    expect(checked).toBeGreaterThanOrEqual(MODELS.length * TASK_TYPES.length);
  });

  it("give the fallback paths of the raw trails", async () => {
    const raw = await rawInteractions();
    const expected = new Map<string, number>();
    for (const r of raw) {
      if (r.status !== "completed" && r.status !== "failed") continue;
      const attempts = r.routing_decision.attempts ?? [];
      const failed = attempts.filter((a) => !a.ok && a.reason !== "cancelled");
      if (!failed.length) continue;
      const rescuer = r.status === "completed" ? ([...attempts].reverse().find((a) => a.ok)?.model ?? r.model_used ?? "") : "";
      for (const a of failed) expected.set(`${a.model} → ${rescuer}`, (expected.get(`${a.model} → ${rescuer}`) ?? 0) + 1);
    }
    const { rows } = await withClaims(db, operator, (tx) =>
      tx.query<{ k: string; n: number }>("select failed_model || ' → ' || rescue_model as k, sum(count)::int as n from fallback_rollups where grain = 'hour' group by 1"),
    );
    expect(Object.fromEntries(rows.filter((r) => r.n > 0).map((r) => [r.k, r.n]))).toEqual(Object.fromEntries(expected));
  });

  it("agree between the hourly and the daily grain, and between each task type and all together", async () => {
    const { rows } = await db.query<{ grain: string; star: boolean; n: number; s: number; h: number; hist: number[] }>(
      `select grain, star, sum(interactions)::int as n, sum(successes)::int as s, sum(latency_n)::int as h,
         array(select sum(x.latency_hist[k])::int from interaction_rollups x, generate_series(1, 48) k
               where x.grain = r.grain and (x.task_type = '*') = r.star group by k order by k) as hist
       from (select task_type = '*' as star, * from interaction_rollups) r group by grain, star order by 1, 2`,
    );
    expect(rows).toHaveLength(4);
    const [first, ...rest] = rows;
    expect(first.n).toBeGreaterThan(400);
    for (const r of rest) expect(r).toMatchObject({ n: first.n, s: first.s, h: first.h, hist: first.hist });
    const arms = await db.query<{ n: number }>("select sum(interactions)::int as n from param_arm_rollups group by grain, task_type = '*'");
    expect(new Set(arms.rows.map((r) => r.n)).size).toBe(1);
  });

  it("follow the filters: a model and a task type", async () => {
    const raw = await rawInteractions();
    const dash = await withClaims(db, operator, (tx) => buildDashboard(tx, { filters: { range: "all", model: "mathstral", taskType: "math" }, now: NOW }));
    expect(dash.kpis.interactions).toBe(raw.filter((r) => r.model === "mathstral" && r.task_type === "math").length);
    expect(dash.share.series.map((s) => s.label)).toEqual(["mathstral"]);
    expect(dash.heatmap.taskTypes).toEqual(["math"]);
  });

  it("computes the reward exactly as the learning code does", async () => {
    const cases: [string, number | null, Record<string, unknown>][] = [
      ["completed", 4, {}],
      ["completed", 3, { thumbs: "down" }],
      ["completed", 2, { thumbs: "up" }],
      ["completed", null, { thumbs: "down", copied: true }],
      ["completed", null, { copied: true, correction: "x", auto: CLEAN }],
      ["completed", null, { correction: "x" }],
      ["completed", null, { copied: true, auto: { ...CLEAN, truncated: true } }],
      ["completed", null, { auto: { ...CLEAN, empty: true } }],
      ["completed", null, { auto: { ...CLEAN, refused: true } }],
      ["completed", null, { auto: { ...CLEAN, codeExpected: true, hasCodeBlock: false } }],
      ["completed", null, { auto: { ...CLEAN, mathExpected: true, mathAnswerPresent: false } }],
      ["completed", null, { auto: CLEAN }],
      ["completed", null, {}],
      // the user's other verdicts
      ["completed", null, { tags: ["great"], auto: CLEAN }],
      ["completed", null, { tags: ["wrong"], auto: CLEAN }],
      ["completed", null, { tags: ["incomplete", "needs comments"] }],
      ["completed", null, { tags: ["great", "incomplete"], auto: CLEAN }],
      ["completed", null, { tags: ["needs comments"], auto: CLEAN }],
      ["completed", null, { tags: "great", auto: CLEAN }],
      ["completed", null, { preferred: true, auto: { ...CLEAN, empty: true } }],
      ["completed", null, { preferred: false, tags: ["great"], auto: CLEAN }],
      ["completed", null, { betterModel: "mathstral", auto: CLEAN }],
      ["completed", null, { betterModel: "", auto: CLEAN }],
      ["completed", 5, { betterModel: "mathstral", preferred: false }],
      ["completed", null, { thumbs: "up", tags: ["wrong"] }],
      // implicit signals
      ["completed", null, { regenerated: true, auto: CLEAN }],
      ["completed", null, { regenerated: true, copied: true, auto: CLEAN }],
      ["completed", null, { implicit: { signal: "failed" }, auto: CLEAN }],
      ["completed", null, { implicit: { signal: "rephrase" }, auto: CLEAN }],
      ["completed", null, { implicit: { signal: "abandoned" }, auto: { ...CLEAN, truncated: true } }],
      ["completed", null, { implicit: { signal: "abandoned" }, auto: { ...CLEAN, empty: true } }],
      ["completed", null, { implicit: { signal: "failed" }, auto: { ...CLEAN, mathExpected: true, mathAnswerPresent: false } }],
      ["completed", null, { implicit: { signal: "thanks" }, auto: { ...CLEAN, refused: true } }],
      ["completed", null, { implicit: { signal: "thanks" } }],
      ["completed", null, { implicit: { signal: "thanks" }, correction: "x", auto: CLEAN }],
      ["completed", null, { implicit: { signal: "failed" }, copied: true, auto: CLEAN }],
      ["completed", null, { implicit: { signal: "toString" }, auto: CLEAN }],
      ["completed", null, { implicit: { signal: "failed" }, regenerated: true, correction: "x" }],
      ["completed", null, { implicit: { signal: "failed" }, tags: ["great"], auto: CLEAN }],
      ["failed", null, {}],
      ["cancelled", 5, {}],
      ["started", null, {}],
    ];
    for (const [status, rating, feedback] of cases) {
      const { rows } = await db.query<{ r: number | null }>("select private.interaction_reward($1, $2, $3::jsonb) as r", [status, rating, JSON.stringify(feedback)]);
      const expected = tsReward({ status, success_rating: rating, feedback, model: "", task_type: null, routing_decision: {}, response_time: null, model_used: null });
      expect(rows[0].r === null ? null : Number(rows[0].r), `${status} ${rating} ${JSON.stringify(feedback)}`).toBe(expected);
      // Success (experiments) is the rollups' `reward >= 0.5` (dashboards): one definition.
      const success = interactionSuccess({ status, success_rating: rating, feedback, response_time: null });
      expect(success, `success of ${status} ${rating} ${JSON.stringify(feedback)}`).toBe(rows[0].r === null ? null : Number(rows[0].r) >= 0.5);
    }
  });

  it("keys parameter arms exactly as the learning code does", async () => {
    for (const params of [{ temperature: 0.2, num_predict: 1024, num_ctx: 4096 }, { temperature: 0.7, num_predict: 512, num_ctx: 8192 }, { temperature: 1, num_predict: 256, num_ctx: 2048 }]) {
      const { rows } = await db.query<{ k: string }>("select private.interaction_arm($1::jsonb) as k", [JSON.stringify({ params })]);
      expect(rows[0].k).toBe(armKey(params));
    }
    expect(paramArmsFor("code_generation").every((a) => a.id === armKey(a))).toBe(true);
    expect(currentArmKey("t0.2-p1024-c4096")).toBe("t0.2 p1024 c4096");
  });

  it("sort latencies into the same buckets as lib/analytics/latency", async () => {
    const rng = seededRng(3);
    const values = Array.from({ length: 300 }, () => Math.round(5 * Math.exp(rng() * 12) * 1000) / 1000);
    const { rows } = await db.query<{ k: number }>("select private.latency_bucket(v) as k from unnest($1::float8[]) with ordinality as x (v, i) order by i", [values]);
    expect(rows.map((r) => r.k)).toEqual(values.map(latencyBucket));
  });

  it("cannot be rebuilt or written by API users", async () => {
    for (const sql of [
      "select private.rebuild_analytics_rollups()",
      "select private.rollup_interaction(i, 1) from interactions i limit 1",
    ]) {
      await expect(withClaims(db, operator, (tx) => tx.query(sql))).rejects.toThrow(/permission denied/);
    }
    const { rows } = await withClaims(db, userClaims(USER_A), (tx) => tx.query("select 1 from interaction_rollups limit 1"));
    expect(rows).toEqual([]);
  });
});
