import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOrchestrator, identityOf, ask, storedInteraction } from "../support/orchestrator";
import { USER_A, USER_B } from "../support/db";
import { learnFromFeedback } from "../../lib/learning/feedback";
import { learningState } from "../../lib/learning/store";
import { invalidateAvailability } from "../../lib/orchestrator/availability";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";
import { settledLearning } from "../../lib/orchestrator/learn";

let env: Awaited<ReturnType<typeof startOrchestrator>>;
const alice = identityOf(USER_A);
const bob = identityOf(USER_B);

beforeAll(async () => {
  env = await startOrchestrator();
});
afterAll(() => env.close());

const row = (id: string) => storedInteraction(env.db, id);

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

  it("asks the router model about a request the classifier cannot read, not about one it reads with confidence", async () => {
    const { planRequest } = await import("../../lib/orchestrator/plan");
    const plan = (prompt: string) => planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt, history: [] });
    // Hindi in Devanagari, a script none of its corpora was written in: "why does my C program crash when I free the pointer twice?" (it reads only "C").
    const unread = await plan("मेरा C प्रोग्राम पॉइंटर को दो बार फ्री करने पर क्यों क्रैश होता है?");
    expect(unread.voters.map((v) => v.name)).toContain("router_model");
    expect(unread.voters.find((v) => v.name === "features")!.confidence).toBeLessThan(0.2);
    const read = await plan("Write a Python function that reverses a linked list.");
    expect(read.voters.map((v) => v.name)).not.toContain("router_model");
  });

  it("does not hold a request for the router model's vote behind the answers it is giving: with its slots taken, the other voters decide after a short wait", async () => {
    const { planRequest } = await import("../../lib/orchestrator/plan");
    const { getOllamaPool } = await import("../../lib/ollama");
    const router = DEFAULT_ROLE_MODELS.router;
    // Two long answers on the router model (200 ms a token) hold both its slots (the pool's default: 2 per model).
    const holders = [1, 2].map(() => getOllamaPool().chatStream({ model: router, messages: [{ role: "user", content: "Explain closures" }], headers: { "x-sim-fault": "slow:200" } }));
    try {
      for (const h of holders) expect((await h.next()).value?.type).toBe("delta");
      const busy = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt: "मेरा C प्रोग्राम पॉइंटर को दो बार फ्री करने पर क्यों क्रैश होता है?", history: [] });
      expect(busy.voters.map((v) => v.name)).not.toContain("router_model");
      expect(busy.chain.length).toBeGreaterThan(0);
      // "Why this model?" says the router model was asked and was busy (the decision recorded and streamed carries it).
      expect(busy.routerMissed).toBe("busy");
      const { decisionOf } = await import("../../lib/orchestrator/decision-of");
      const { readDecision } = await import("../../lib/domain");
      expect(readDecision(JSON.parse(JSON.stringify(decisionOf(busy, [], busy.chain[0].model)))).routerMissed).toBe("busy");
      // Planned while both answers were still under way (it did not wait for either to end: ROUTER_SLOT_WAIT_MS at most).
      expect(env.sim.stats().inFlight[`${router}:latest`]).toBe(2);
    } finally {
      for (const h of holders) await h.return(undefined);
    }
    // With a slot free, the same request gets the router model's vote.
    const free = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt: "मेरा C प्रोग्राम पॉइंटर को दो बार फ्री करने पर क्यों क्रैश होता है?", history: [] });
    expect(free.voters.map((v) => v.name)).toContain("router_model");
    expect(free.routerMissed).toBeUndefined();
  });

  it("asks a named model without waiting for the embedding, and records the embedding with the outcome", async () => {
    const { planRequest } = await import("../../lib/orchestrator/plan");
    const prompt = "Write a Go HTTP handler that accepts JSON and validates it.";
    // A well-rated past request just like it: a routed plan, which waits for the embedding, hears it as a neighbour.
    const past = await ask(alice, { prompt });
    await env.db.query("update interactions set success_rating = 5 where id = $1", [past.interactionId]);
    const routed = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt, history: [] });
    expect(routed.voters.map((v) => v.name)).toContain("neighbours");
    // Nothing in the knowledge base: nothing before a named model's answer needs the embedding.
    const plan = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt, history: [], forcedModel: "openhermes" });
    expect(plan.chain[0].model).toBe("openhermes");
    expect(plan.embedding).toBeNull();
    expect(plan.voters.map((v) => v.name)).not.toContain("neighbours");
    expect((await plan.embed())?.request).toHaveLength(768);

    const r = await ask(alice, { prompt, model: "openhermes" });
    expect(r.end?.type).toBe("done");
    const { rows } = await env.db.query<{ model_used: string; task_type: string; has: boolean; embedding_model: string | null }>(
      "select model_used, task_type, r.embedding is not null as has, r.embedding_model from interactions i left join private.request_embeddings r on r.interaction_id = i.id where i.id = $1",
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
      const { streamChat } = await import("../../lib/orchestrator/chat");
      const { prepareChat } = await import("../../lib/orchestrator/prepare-chat");
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
