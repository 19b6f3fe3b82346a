import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOrchestrator, identityOf, ask } from "../support/orchestrator";
import { USER_A, USER_B } from "../support/db";
import { learnFromFeedback } from "../../lib/learning/feedback";
import { learningState } from "../../lib/learning/store";
import { invalidateAvailability } from "../../lib/orchestrator/availability";
import { DEFAULT_ROLE_MODELS, interactionReward, type TaskType } from "../../lib/domain";
import { settledLearning } from "../../lib/orchestrator/learn";
import type { Decision } from "../../lib/chat/events";
import { asSystem } from "../../lib/db";
import { recordServerFeedback } from "../../lib/db/queries/interactions";
import { reviseAnswerReward } from "../../lib/learning/answer-reward";

let env: Awaited<ReturnType<typeof startOrchestrator>>;
const alice = identityOf(USER_A);
const bob = identityOf(USER_B);

beforeAll(async () => {
  env = await startOrchestrator();
});
afterAll(() => env.close());

async function row(id: string) {
  const { rows } = await env.db.query<{ status: string; model_used: string; response: string; routing_decision: Decision; task_type: string; feedback: Record<string, unknown>; success_rating: number | null; response_time: number }>(
    "select status, model_used, response, routing_decision, task_type, feedback, success_rating, response_time from interactions where id = $1",
    [id],
  );
  return rows[0];
}

describe("answering", () => {
  it("streams an answer, records the interaction before and after, and explains the routing", async () => {
    const r = await ask(alice, { prompt: "Write a Python function that reverses a linked list." });
    expect(r.events[0].type).toBe("start");
    // Streamed as tokens before the end (a reader that fell behind gets several tokens' text as one), and they are the answer.
    const tokens = r.events.filter((e) => e.type === "token");
    expect(tokens.length).toBeGreaterThan(0);
    expect(r.events.indexOf(tokens.at(-1)!)).toBeLessThan(r.events.indexOf(r.end!));
    expect(r.end?.type).toBe("done");
    expect(r.end?.type === "done" && r.end.response).toBe(r.text);
    expect(r.text.length).toBeGreaterThan(20);
    const saved = await row(r.interactionId);
    expect(saved.status).toBe("completed");
    expect(saved.response).toBe(r.text);
    expect(saved.task_type).toBe("code_generation");
    expect(saved.routing_decision.taskType).toBe("code_generation");
    expect(saved.routing_decision.voters.map((v) => v.name)).toContain("features");
    expect(saved.routing_decision.chain.length).toBeGreaterThan(1);
    expect(saved.routing_decision.configVersion).toBe(1);
    expect(saved.routing_decision.params.num_ctx).toBeGreaterThan(0);
    expect(saved.routing_decision.attempts).toEqual([expect.objectContaining({ model: saved.model_used, ok: true })]);
    expect(saved.response_time).toBeGreaterThan(0);
    // The outcome reached the learning state for (code_generation, that model).
    const state = await learningState();
    expect(state.policy.code_generation?.[saved.model_used]?.alpha).toBeGreaterThan(0);
  });

  it("asks a named model without waiting for the embedding, and records the embedding with the outcome", async () => {
    const { planRequest } = await import("../../lib/orchestrator/plan");
    const prompt = "Write a Go HTTP handler that accepts JSON and validates it.";
    // A well-rated past request just like it: a routed plan, which waits for the embedding, hears it as a neighbour.
    const past = await ask(alice, { prompt });
    await env.db.query("update interactions set success_rating = 5 where id = $1", [past.interactionId]);
    const routed = await planRequest({ conversationId: crypto.randomUUID(), userId: USER_A, prompt, history: [] });
    expect(routed.voters.map((v) => v.name)).toContain("neighbours");
    // Nothing in the knowledge base: nothing before a named model's answer needs the embedding.
    const plan = await planRequest({ conversationId: crypto.randomUUID(), userId: USER_A, prompt, history: [], forcedModel: "openhermes" });
    expect(plan.chain[0].model).toBe("openhermes");
    expect(plan.embedding).toBeNull();
    expect(plan.voters.map((v) => v.name)).not.toContain("neighbours");
    expect(await plan.embed()).toHaveLength(768);

    const r = await ask(alice, { prompt, model: "openhermes" });
    expect(r.end?.type).toBe("done");
    const { rows } = await env.db.query<{ model_used: string; task_type: string; has: boolean; embedding_model: string | null }>(
      "select model_used, task_type, prompt_embedding is not null as has, embedding_model from interactions where id = $1",
      [r.interactionId],
    );
    expect(rows[0]).toEqual({ model_used: "openhermes", task_type: "code_generation", has: true, embedding_model: "nomic-embed-text" });
  });

  it("refuses another user's conversation", async () => {
    const r = await ask(alice, { prompt: "Explain recursion briefly." });
    await expect(ask(bob, { conversationId: r.conversationId, prompt: "And iteration?" })).rejects.toThrow(/does not exist \(or is not yours\)/);
  });
});

describe("stopping", () => {
  it("a request stopped mid-answer is recorded as cancelled with what had arrived", async () => {
    env.sim.setFaults([{ fault: "slow:30" }]);
    try {
      const { prepareChat, streamChat } = await import("../../lib/orchestrator/chat");
      const prepared = await prepareChat(alice, { conversationId: null, prompt: "Write a Python function that merges two sorted lists." });
      const ac = new AbortController();
      let id = "";
      let tokens = 0;
      for await (const e of streamChat(prepared, ac.signal)) {
        if (e.type === "start") id = e.interactionId;
        if (e.type === "token" && ++tokens === 3) ac.abort();
      }
      const saved = await row(id);
      expect(saved.status).toBe("cancelled");
      expect(saved.response.length).toBeGreaterThan(0);
      expect(saved.routing_decision.attempts.at(-1)).toMatchObject({ ok: false, reason: "cancelled" });
    } finally {
      env.sim.clearFaults();
    }
  });
});

describe("seed scenario 1: a correction creates a routing pattern that similar requests follow", () => {
  it("routes a similar request to the model the user said would be better, and not an unrelated one", async () => {
    const first = await ask(alice, { prompt: "Write an efficient algorithm to compute the number of ways to climb n stairs, and prove its complexity." });
    const firstModel = first.start.decision.model;
    const better = firstModel === DEFAULT_ROLE_MODELS.math ? DEFAULT_ROLE_MODELS.architect : DEFAULT_ROLE_MODELS.math;

    const res = await learnFromFeedback(alice, { interactionId: first.interactionId, betterModel: better });
    expect(res.message).toMatch(new RegExp(`similar requests will now go to ${better.replace(/[.:]/g, "\\$&")}`));
    const pattern = await env.db.query<{ model_name: string; success_count: number; confidence_score: number }>(
      "select model_name, success_count, confidence_score from learning_patterns where pattern_type = 'routing'",
    );
    expect(pattern.rows).toEqual([expect.objectContaining({ model_name: better, success_count: 1 })]);
    expect((await row(first.interactionId)).feedback.betterModel).toBe(better);

    const similar = await ask(alice, { prompt: "Write an efficient algorithm to count the ways to climb n stairs taking 1 or 2 steps, and prove its complexity." });
    expect(similar.start.decision.model).toBe(better);
    expect(similar.start.decision.reason).toBe("pattern");
    // Near by the embedding model's own standard: nearer than most unrelated reference requests.
    expect(similar.start.decision.pattern?.closerThan).toBeGreaterThan(0.9);
    expect(similar.start.decision.pattern?.scope).toBe("yours");

    const unrelated = await ask(alice, { prompt: "Write a haiku about autumn leaves." });
    expect(unrelated.start.decision.reason).not.toBe("pattern");

    // One user's correction steers their own requests, not everyone's…
    const bobs = await ask(bob, { prompt: "Write an efficient algorithm to count the ways to climb n stairs taking 1 or 2 steps, and prove its complexity." });
    expect(bobs.start.decision.reason).not.toBe("pattern");
    // …until a second user says the same: then it serves everyone.
    const bobBetter = await learnFromFeedback(bob, { interactionId: bobs.interactionId, betterModel: better });
    if (bobs.start.decision.model !== better) expect(bobBetter.message).toContain("everyone's similar requests will now go to");
    const teachers = await env.db.query<{ teachers: string[] }>("select pattern_data -> 'teachers' as teachers from learning_patterns where pattern_type = 'routing' and model_name = $1", [better]);
    expect(new Set(teachers.rows.flatMap((r) => r.teachers))).toEqual(new Set(bobs.start.decision.model !== better ? [USER_A, USER_B] : [USER_A]));
  });

  it("a poor rating on an answer the pattern chose carves that request out of it; the requests it was taught on still follow", async () => {
    const variant = "Write an efficient algorithm to count the ways to climb n stairs taking 1 or 2 steps, and prove its complexity. Use memoisation.";
    const followed = await ask(alice, { prompt: variant });
    expect(followed.start.decision.reason).toBe("pattern");
    const counts = async () =>
      (await env.db.query<{ s: number; f: number }>("select success_count as s, failure_count as f from learning_patterns where id = $1", [followed.start.decision.pattern!.id])).rows[0];
    await settledLearning();
    const c0 = await counts();
    const res = await learnFromFeedback(alice, { interactionId: followed.interactionId, rating: 1 });
    expect(res.message).toContain("no longer covers requests like this one");
    // The answer counts once: the success counted when the pattern's model answered became a failure.
    expect(await counts()).toEqual({ s: c0.s - 1, f: c0.f + 1 });
    const members = await env.db.query<{ agrees: boolean }>("select agrees from routing_pattern_members where interaction_id = $1", [followed.interactionId]);
    expect(members.rows).toEqual([{ agrees: false }]);
    await learnFromFeedback(alice, { interactionId: followed.interactionId, rating: 2 }); // still poor: nothing more to count
    expect(await counts()).toEqual({ s: c0.s - 1, f: c0.f + 1 });
    expect((await ask(alice, { prompt: variant })).start.decision.reason).not.toBe("pattern");
    const taught = await ask(alice, { prompt: "Write an efficient algorithm to compute the number of ways to climb n stairs, and prove its complexity." });
    expect(taught.start.decision.reason).toBe("pattern");
  });

  it("lets a pattern that keeps failing fade", async () => {
    const { rows } = await env.db.query<{ id: string }>("select id from learning_patterns where pattern_type = 'routing'");
    const { recordPatternOutcome } = await import("../../lib/learning/patterns");
    // Taught by two users it holds longer, but failures make it fade all the same.
    let failures = 0;
    const statusOf = async () => (await env.db.query<{ status: string }>("select status from learning_patterns where id = $1", [rows[0].id])).rows[0].status;
    while ((await statusOf()) !== "faded" && failures < 10) (await recordPatternOutcome(rows[0].id, false), failures++);
    expect(await statusOf()).toBe("faded");
    expect(failures).toBeGreaterThan(0);
    // Two teachers' successes: it took at least four failures in all (one alone fades at three).
    const { rows: counted } = await env.db.query<{ f: number }>("select failure_count as f from learning_patterns where id = $1", [rows[0].id]);
    expect(counted[0].f).toBeGreaterThanOrEqual(4);
    const again = await ask(alice, { prompt: "Write an efficient algorithm to count the ways to climb n stairs taking 1 or 2 steps, and prove its complexity." });
    expect(again.start.decision.reason).not.toBe("pattern");
  });
});

describe("seed scenario 3: fallback", () => {
  it("a model that times out hands the request to the next model of the chain, and the trail is recorded", async () => {
    const probe = await ask(alice, { prompt: "Fix the bug in this code: for i in range(10) print(i)" });
    const primary = probe.start.decision.model;
    env.sim.setFaults([{ model: primary, fault: "timeout" }]);
    invalidateAvailability();
    try {
      // Pin the primary so the fault is hit whatever the policy would sample.
      const r = await ask(alice, { conversationId: probe.conversationId, prompt: "Fix the bug in this code: while True print('x')", model: primary });
      expect(r.end?.type).toBe("done");
      const fallback = r.events.find((e) => e.type === "fallback");
      expect(fallback).toMatchObject({ type: "fallback", attempt: { model: primary, ok: false, reason: "timeout" } });
      const saved = await row(r.interactionId);
      expect(saved.status).toBe("completed");
      expect(saved.model_used).not.toBe(primary);
      expect(saved.routing_decision.attempts.map((a) => [a.model, a.ok])).toEqual([
        [primary, false],
        [saved.model_used, true],
      ]);
      const state = await learningState();
      const rescues = state.fallback.debugging ?? {};
      expect(rescues[saved.model_used]).toEqual({ rescueSuccess: 1, rescueTrials: 1 });
    } finally {
      env.sim.clearFaults();
    }
  });

  it("a stream cut mid-way continues on the next model; the user sees a notice, not a broken answer", async () => {
    const primary = DEFAULT_ROLE_MODELS.lead_developer;
    env.sim.setFaults([{ model: primary, fault: "cut:3" }]);
    try {
      const r = await ask(alice, { prompt: "Write a TypeScript function that debounces another function.", model: primary });
      const kinds = r.events.map((e) => e.type);
      expect(kinds.indexOf("fallback")).toBeGreaterThan(kinds.indexOf("token"));
      expect(r.end?.type).toBe("done");
      const done = r.end as Extract<typeof r.end, { type: "done" }>;
      const saved = await row(r.interactionId);
      expect(saved.response).toBe(done.response);
      expect(saved.routing_decision.attempts[0]).toMatchObject({ model: primary, ok: false, reason: "stream_broken" });
    } finally {
      env.sim.clearFaults();
    }
  });

  it("a refusal and an empty answer fall through too", async () => {
    env.sim.setFaults([{ model: DEFAULT_ROLE_MODELS.router, fault: "refusal" }, { model: DEFAULT_ROLE_MODELS.math, fault: "empty" }]);
    try {
      const r = await ask(alice, { prompt: "Tell me about the history of Rome.", model: DEFAULT_ROLE_MODELS.router });
      const saved = await row(r.interactionId);
      expect(saved.routing_decision.attempts[0]).toMatchObject({ ok: false, reason: "refused" });
      expect(saved.status).toBe("completed");
    } finally {
      env.sim.clearFaults();
    }
  });

  it("when every model fails, the interaction is still recorded as failed with the trail", async () => {
    env.sim.setFaults([{ fault: "http500" }]);
    try {
      const r = await ask(alice, { prompt: "Design a URL shortener." });
      expect(r.end).toMatchObject({ type: "error", code: "all_failed" });
      const saved = await row(r.interactionId);
      expect(saved.status).toBe("failed");
      expect(saved.routing_decision.attempts.length).toBe(3);
      expect(saved.routing_decision.attempts.every((a) => !a.ok && a.reason === "http")).toBe(true);
      expect(new Set(saved.routing_decision.attempts.map((a) => a.model)).size).toBe(3);
    } finally {
      env.sim.clearFaults();
    }
  });

  it("with Ollama down the request is recorded as failed and the error says what to do", async () => {
    await env.sim.setListening(false);
    invalidateAvailability();
    try {
      const r = await ask(alice, { prompt: "What is 2 + 2?" });
      expect(r.end).toMatchObject({ type: "error", code: "unavailable:ollama" });
      expect((r.end as { message: string }).message).toMatch(/Settings/);
      expect((await row(r.interactionId)).status).toBe("failed");
    } finally {
      await env.sim.setListening(true);
      invalidateAvailability();
    }
  });
});

describe("task types learn only from confirmation", () => {
  const votersOf = async () => (await learningState()).voters;
  const total = (w: { alpha: number; beta: number }) => w.alpha + w.beta;

  it("a stated task type teaches the voters and becomes a neighbour's label; a poor, undisputed rating teaches nothing", async () => {
    const prompt = "my kotlin coroutine never resumes after withContext(Dispatchers.IO), the UI just hangs";
    const first = await ask(alice, { prompt });
    const before = await votersOf();
    // A 2-star rating says the answer was poor, not what the request was: no label, no voter update.
    await learnFromFeedback(alice, { interactionId: first.interactionId, rating: 2 });
    expect(total((await votersOf()).features)).toBeCloseTo(total(before.features), 9);
    const unconfirmed = await env.db.query<{ t: string | null }>("select private.confirmed_task_type(task_type, success_rating, feedback) as t from interactions where id = $1", [first.interactionId]);
    expect(unconfirmed.rows[0].t).toBeNull();

    // The user says what it really was: the voters that said otherwise lose agreement.
    const classified = (await row(first.interactionId)).task_type;
    const stated = classified === "architecture" ? "debugging" : "architecture";
    const saved = await learnFromFeedback(alice, { interactionId: first.interactionId, taskType: stated });
    expect(saved.message).toMatch(/classifiers learn/);
    const after = await votersOf();
    expect(total(after.features)).toBeGreaterThan(total(before.features));
    expect(after.features.beta).toBeGreaterThan(before.features.beta); // the text classifier said `classified`
    const label = await env.db.query<{ t: string | null }>("select private.confirmed_task_type(task_type, success_rating, feedback) as t from interactions where id = $1", [first.interactionId]);
    expect(label.rows[0].t).toBe(stated);
  });

  it("refuses a task type for another user's answer", async () => {
    const r = await ask(alice, { prompt: "Explain what a mutex is." });
    await expect(learnFromFeedback(bob, { interactionId: r.interactionId, taskType: "debugging" })).rejects.toThrow(/not yours/);
  });
});

describe("an answer counts once in its model's routing evidence", () => {
  it("its automatic reward counts when it finishes; a verdict later replaces it, and a changed verdict replaces that", async () => {
    const r = await ask(alice, { prompt: "Write a TypeScript function that debounces another function." });
    await settledLearning();
    const saved = await row(r.interactionId);
    const auto = interactionReward(saved)!;
    expect(auto).toBeGreaterThan(0);
    const arm = async () => (await learningState()).policy[saved.task_type as TaskType]![saved.model_used];
    const e0 = await arm();
    const amount = (e: { alpha: number; beta: number }) => e.alpha + e.beta;

    // Thumbs down: the answer was a failure, not a second answer.
    await learnFromFeedback(alice, { interactionId: r.interactionId, thumbs: "down" });
    const e1 = await arm();
    expect(amount(e1)).toBeCloseTo(amount(e0), 9);
    expect(e1.alpha - e0.alpha).toBeCloseTo(-auto, 9);
    // Then 5 stars: from a failure to a full success.
    await learnFromFeedback(alice, { interactionId: r.interactionId, rating: 5 });
    const e2 = await arm();
    expect(amount(e2)).toBeCloseTo(amount(e0), 9);
    expect(e2.alpha - e1.alpha).toBeCloseTo(1, 9);
    // The same verdict again changes nothing.
    await learnFromFeedback(alice, { interactionId: r.interactionId, rating: 5 });
    expect(await arm()).toMatchObject({ alpha: expect.closeTo(e2.alpha, 9), beta: expect.closeTo(e2.beta, 9) });
    // A quick tag after a rating changes nothing: the rating is the answer's reward.
    await learnFromFeedback(alice, { interactionId: r.interactionId, tags: ["wrong"] });
    expect(await arm()).toMatchObject({ alpha: expect.closeTo(e2.alpha, 9), beta: expect.closeTo(e2.beta, 9) });
  });

  it("an answer its user says was another task type moves there: out of the arm it was routed to, into the stated one's", async () => {
    const r = await ask(alice, { prompt: "Write a Go function that reverses the words in a sentence." });
    await settledLearning();
    const saved = await row(r.interactionId);
    const routed = saved.task_type as TaskType;
    const stated: TaskType = routed === "explanation" ? "general" : "explanation";
    const auto = interactionReward(saved)!;
    const arm = async (t: TaskType) => (await learningState()).policy[t]?.[saved.model_used] ?? { alpha: 0, beta: 0 };
    const [r0, s0] = [await arm(routed), await arm(stated)];

    await learnFromFeedback(alice, { interactionId: r.interactionId, taskType: stated });
    const [r1, s1] = [await arm(routed), await arm(stated)];
    expect(r1.alpha).toBeCloseTo(Math.max(0, r0.alpha - auto), 9);
    expect(r1.beta).toBeCloseTo(Math.max(0, r0.beta - (1 - auto)), 9);
    expect(s1.alpha + s1.beta).toBeGreaterThan(s0.alpha + s0.beta + 0.5); // counted there: one outcome (what was there decays a little)
    expect(s1.alpha + s1.beta).toBeLessThanOrEqual(s0.alpha + s0.beta + 1 + 1e-9);

    // A verdict now moves the stated arm only, and by the change.
    await learnFromFeedback(alice, { interactionId: r.interactionId, thumbs: "up" });
    const [r2, s2] = [await arm(routed), await arm(stated)];
    expect(r2).toMatchObject({ alpha: expect.closeTo(r1.alpha, 9), beta: expect.closeTo(r1.beta, 9) });
    expect(s2.alpha + s2.beta).toBeCloseTo(s1.alpha + s1.beta, 9);
    expect(s2.alpha - s1.alpha).toBeCloseTo(1 - auto, 9);
  });

  it("a verdict and a signal the server records at the same moment: the answer still counts once", async () => {
    const r = await ask(alice, { prompt: "Write a Bash one-liner that counts the lines of every .ts file in a folder." });
    await settledLearning();
    const saved = await row(r.interactionId);
    const auto = interactionReward(saved)!;
    const arm = async () => (await learningState()).policy[saved.task_type as TaskType]![saved.model_used];
    const e0 = await arm();

    // The server records what the next message said in a transaction still open…
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const server = asSystem(async (tx) => {
      const written = await recordServerFeedback(tx, { id: r.interactionId, feedback: { implicit: { signal: "failed", by: null, at: new Date().toISOString() } } });
      locked();
      await held;
      return written!;
    });
    await isLocked;
    // …when the user's thumbs up arrives. With two connections it waits for that row (PGlite has one: it waits anyway).
    const user = learnFromFeedback(alice, { interactionId: r.interactionId, thumbs: "up" });
    if (env.db.kind === "postgres") {
      const waiting = async () =>
        (await env.db.query<{ n: number }>("select count(*)::int as n from pg_locks where not granted and locktype in ('transactionid', 'tuple')")).rows[0].n;
      while ((await waiting()) === 0) await new Promise((res) => setTimeout(res, 5));
    }
    release();
    await reviseAnswerReward(await server);
    await user;
    await settledLearning();

    // Thumbs up decides the reward (1): the evidence moved from the automatic reward to 1, once.
    const e1 = await arm();
    expect(interactionReward(await row(r.interactionId))).toBe(1);
    expect(e1.alpha + e1.beta).toBeCloseTo(e0.alpha + e0.beta, 9);
    expect(e1.alpha - e0.alpha).toBeCloseTo(1 - auto, 9);
  });

  /** The evidence of (task type, model) of a stored answer, and the answer's reward now. */
  async function answerState(id: string) {
    await settledLearning();
    const saved = await row(id);
    const e = (await learningState()).policy[saved.task_type as TaskType]![saved.model_used];
    return { model: saved.model_used, reward: interactionReward(saved)!, alpha: e.alpha, beta: e.beta, feedback: saved.feedback };
  }
  /** From `a` to `b` the answer's evidence moved by its reward's change and no more: counted once. */
  function movedByReward(a: { alpha: number; beta: number; reward: number }, b: { alpha: number; beta: number; reward: number }) {
    expect(b.alpha + b.beta).toBeCloseTo(a.alpha + a.beta, 9);
    expect(b.alpha - a.alpha).toBeCloseTo(b.reward - a.reward, 9);
  }

  it("tags, asking again, preferring another answer, naming a better model and the next message each change the answer's one reward", async () => {
    const a = await ask(alice, { prompt: "Write a TypeScript function that deep-merges two objects." });
    const a0 = await answerState(a.interactionId);
    expect(a0.reward).toBeLessThan(1); // the automatic checks' reward, at most 0.7

    // Tags: great, then (changed) incomplete.
    const said = await learnFromFeedback(alice, { interactionId: a.interactionId, tags: ["great"] });
    expect(said.message).toContain(`this answer's reward is now 1.00 in place of ${a0.reward.toFixed(2)} (an answer counts once)`);
    const aGreat = await answerState(a.interactionId);
    expect(aGreat.reward).toBe(1);
    movedByReward(a0, aGreat);
    await learnFromFeedback(alice, { interactionId: a.interactionId, tags: ["incomplete"] });
    const a1 = await answerState(a.interactionId);
    expect(a1.reward).toBeCloseTo(0.2, 9);
    movedByReward(aGreat, a1);

    // Asking again, with another model: kept on the answer; the tag (a verdict) still decides its reward.
    const other = Object.values(DEFAULT_ROLE_MODELS).find((m) => m !== a0.model)!;
    const b = await ask(alice, { conversationId: a.conversationId, prompt: "Write a TypeScript function that deep-merges two objects.", regenerateOf: a.interactionId, model: other });
    const a2 = await answerState(a.interactionId);
    expect(a2.feedback.regenerated).toBe(true);
    movedByReward(a1, a2);
    expect(a2.alpha).toBeCloseTo(a1.alpha, 9);

    // Preferring the regenerated answer: it gets full marks, the one passed over none; neither counts twice.
    const b0 = await answerState(b.interactionId);
    expect(b0.model).toBe(other);
    await learnFromFeedback(alice, { interactionId: b.interactionId, preferred: true });
    const [a3, b1] = [await answerState(a.interactionId), await answerState(b.interactionId)];
    expect([a3.reward, b1.reward]).toEqual([0, 1]);
    movedByReward(a2, a3);
    movedByReward(b0, b1);

    // "Another model would have been better": no reward.
    const c = await ask(alice, { prompt: "Explain the difference between a process and a thread." });
    const c0 = await answerState(c.interactionId);
    await learnFromFeedback(alice, { interactionId: c.interactionId, betterModel: Object.values(DEFAULT_ROLE_MODELS).find((m) => m !== c0.model)! });
    const c1 = await answerState(c.interactionId);
    expect(c1.reward).toBe(0);
    movedByReward(c0, c1);

    // The next message says it failed: a weak poor reward, still one answer.
    const d = await ask(alice, { prompt: "Fix the CORS error when my React app calls my Express API on localhost:4000." });
    const d0 = await answerState(d.interactionId);
    // (answered by another model: the follow-up's own answer counts in its own model's evidence)
    const elsewhere = Object.values(DEFAULT_ROLE_MODELS).find((m) => m !== d0.model)!;
    await ask(alice, { conversationId: d.conversationId, prompt: "Still getting the same error in the console after adding that.", model: elsewhere });
    const d1 = await answerState(d.interactionId);
    expect(d1.feedback.implicit).toMatchObject({ signal: "failed" });
    expect(d1.reward).toBeLessThan(0.5);
    movedByReward(d0, d1);
  });
});

describe("a routing pattern counts an answer it chose once", () => {
  it("naming a better model for it, or saying next that it failed, turns its success into a failure; nothing adds a second outcome", async () => {
    const taught = await ask(alice, { prompt: "Convert this recursive Fibonacci function in Haskell into a tail-recursive one with an accumulator." });
    const better = [DEFAULT_ROLE_MODELS.architect, DEFAULT_ROLE_MODELS.math].find((m) => m !== taught.start.decision.model)!;
    const third = Object.values(DEFAULT_ROLE_MODELS).find((m) => m !== better && m !== taught.start.decision.model)!;
    await learnFromFeedback(alice, { interactionId: taught.interactionId, betterModel: better });
    const counts = async (id: string) => (await env.db.query<{ s: number; f: number }>("select success_count as s, failure_count as f from learning_patterns where id = $1", [id])).rows[0];

    const first = await ask(alice, { prompt: "Convert this recursive Fibonacci function in Haskell into a tail-recursive version using an accumulator." });
    const second = await ask(alice, { prompt: "Convert this recursive Fibonacci function in Haskell into a tail recursive one that uses an accumulator." });
    for (const a of [first, second]) expect(a.start.decision).toMatchObject({ reason: "pattern", model: better });
    const pattern = first.start.decision.pattern!.id;
    expect(second.start.decision.pattern!.id).toBe(pattern);
    await settledLearning();
    const c0 = await counts(pattern); // each counted a success when it finished

    // A good verdict agrees with what was counted: nothing more.
    await learnFromFeedback(alice, { interactionId: second.interactionId, tags: ["great"] });
    expect(await counts(pattern)).toEqual(c0);
    // "Another model would have been better": one failure in place of its success, not a second outcome.
    await learnFromFeedback(alice, { interactionId: first.interactionId, betterModel: third });
    const c1 = await counts(pattern);
    expect(c1).toEqual({ s: c0.s - 1, f: c0.f + 1 });
    // The next message says it failed (answered by another model, so that answer counts elsewhere): a weaker
    // verdict than the tag, which still decides the answer's reward; without the tag, a failure.
    await learnFromFeedback(alice, { interactionId: second.interactionId, tags: [] });
    await ask(alice, { conversationId: second.conversationId, prompt: "Still getting the same stack overflow after that change.", model: third });
    await settledLearning();
    expect((await row(second.interactionId)).feedback.implicit).toMatchObject({ signal: "failed" });
    expect(await counts(pattern)).toEqual({ s: c1.s - 1, f: c1.f + 1 });
  });
});
