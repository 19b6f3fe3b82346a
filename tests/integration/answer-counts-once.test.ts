/**
 * An answer counts once in everything that learns from it (lib/learning/answer-reward.ts):
 * every signal is part of its one reward (lib/domain/reward.ts), and a new one moves the
 * evidence from the reward counted before instead of adding an outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOrchestrator, identityOf, ask, storedInteraction } from "../support/orchestrator";
import { USER_A } from "../support/db";
import { learnFromFeedback } from "../../lib/learning/feedback";
import { learningState } from "../../lib/learning/store";
import { DEFAULT_ROLE_MODELS, interactionReward, type TaskType } from "../../lib/domain";
import { settledLearning } from "../../lib/orchestrator/learn";
import { asSystem } from "../../lib/db";
import { recordServerFeedback } from "../../lib/db/queries/interaction-feedback";
import { reviseAnswerReward } from "../../lib/learning/answer-reward";

let env: Awaited<ReturnType<typeof startOrchestrator>>;
const alice = identityOf(USER_A);

beforeAll(async () => {
  env = await startOrchestrator();
});
afterAll(() => env.close());

const row = (id: string) => storedInteraction(env.db, id);

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

describe("a better model that is the one that answered", () => {
  it("is no routing verdict, chosen or read from a comment: the rest is saved, the answer's reward untouched, and the message says so", async () => {
    const r = await ask(alice, { prompt: "Write a Python function that flattens a nested list." });
    await settledLearning();
    const answered = (await row(r.interactionId)).model_used;
    const reward = interactionReward(await row(r.interactionId));
    // Chosen (a client that routes by role may not know which model answered).
    const chosen = await learnFromFeedback(alice, { interactionId: r.interactionId, betterModel: answered, tags: ["great"] });
    expect(chosen.message).toContain(`${answered} gave this answer itself: routing is left as it is`);
    expect((await row(r.interactionId)).feedback).toMatchObject({ tags: ["great"] });
    expect((await row(r.interactionId)).feedback.betterModel).toBeUndefined();
    const tagged = interactionReward(await row(r.interactionId));
    expect(tagged).toBeGreaterThanOrEqual(reward!); // the tag counts; no "better model" made it 0
    await learnFromFeedback(alice, { interactionId: r.interactionId, tags: [] });

    // Said in a comment of its own answer: the comment is kept, the answer's reward and routing are untouched.
    const { roleOf } = await (await import("../../lib/roster/current")).currentRoster();
    const said = { math: "the maths specialist", router: "the router", lead_developer: "the lead developer", senior_developer: "the senior developer", architect: "the architect" }[roleOf(answered)!];
    const { message } = await learnFromFeedback(alice, { interactionId: r.interactionId, comment: `${said} would have been better` });
    expect(message).not.toContain("read from the comment");
    const after = await row(r.interactionId);
    expect(after.feedback).toMatchObject({ comment: `${said} would have been better` });
    expect(after.feedback.betterModel).toBeUndefined();
    expect(interactionReward(after)).toBe(reward);
    const taught = await env.db.query("select 1 from routing_pattern_members where interaction_id = $1", [r.interactionId]);
    expect(taught.rows).toHaveLength(0);
  });
});
