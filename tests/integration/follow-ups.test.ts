import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOrchestrator, identityOf, ask, storedInteraction } from "../support/orchestrator";
import { USER_A, userClaims } from "../support/db";
import { Ollama } from "ollama";
import { asSystemStatement, withUser } from "../../lib/db";
import { createApiKey } from "../../lib/db/queries/api-keys";
import { generateApiKey } from "../../lib/api/keys";
import { POST as ollamaChatRoute } from "../../app/api/chat/route";
import { learnFromFeedback } from "../../lib/learning/feedback";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";
import { requestNeighbours } from "../../lib/db/queries/past-interactions";

let env: Awaited<ReturnType<typeof startOrchestrator>>;
const alice = identityOf(USER_A);
/** Alice's API key, for an editor's requests */
let key: string;

beforeAll(async () => {
  env = await startOrchestrator();
  const k = generateApiKey();
  await withUser(userClaims(USER_A), (tx) => createApiKey(tx, { name: "A's editor", prefix: k.prefix, keyHash: k.hash }));
  key = k.secret;
});
afterAll(() => env.close());

/** A conversation: its first request answered by the lead developer's model, then a follow-up. */
async function followUp(first: string, next: string) {
  const opening = await ask(alice, { prompt: first, model: DEFAULT_ROLE_MODELS.lead_developer });
  return ask(alice, { conversationId: opening.conversationId, prompt: next });
}

describe("a follow-up's task type", () => {
  it("classifies a follow-up in its conversation: 'go on' continues the code it asked for", async () => {
    const first = await ask(alice, { prompt: "Write a TypeScript function that debounces another function." });
    expect((await storedInteraction(env.db, first.interactionId)).task_type).toBe("code_generation");
    const next = await ask(alice, { conversationId: first.conversationId, prompt: "go on" });
    expect((await storedInteraction(env.db, next.interactionId)).task_type).toBe("code_generation");
    // "Why this model?" says it was read with the request before it.
    expect((await storedInteraction(env.db, next.interactionId)).routing_decision.followUp).toBe(true);
    expect((await storedInteraction(env.db, first.interactionId)).routing_decision.followUp).toBeUndefined();
    // The same words opening a conversation are read alone.
    const { planRequest } = await import("../../lib/orchestrator/plan");
    const alone = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt: "go on", history: [] });
    const inConversation = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt: "go on", history: [{ role: "user", content: "Write a TypeScript function that debounces another function." }, { role: "assistant", content: "function debounce() {}" }] });
    expect(inConversation.voters.find((v) => v.name === "features")).toMatchObject({ taskType: "code_generation" });
    expect(alone.voters.find((v) => v.name === "features")!.taskType).not.toBe("code_generation");
  });

  it("an editor's follow-up is classified in its conversation: 'continue' (maths, read alone) continues what it follows", async () => {
    const client = new Ollama({ host: "http://app.test", headers: { Authorization: `Bearer ${key}` }, fetch: (url, init) => ollamaChatRoute(new Request(url, init)) });
    const taskTypeOf = async (first: string) =>
      ((await client.chat({ model: "elite", messages: [{ role: "user", content: first }, { role: "assistant", content: "Here is a first part…" }, { role: "user", content: "continue" }], stream: false })) as unknown as { elite: { task_type: string } }).elite.task_type;
    expect(await taskTypeOf("Write a Go function that reads a CSV file and sums its second column.")).toBe("code_generation");
    expect(await taskTypeOf("Design a job queue for a video transcoding service that survives worker crashes.")).toBe("architecture");
  });
});

describe("a routing pattern taught on a follow-up", () => {
  it("serves follow-ups of the same kind of conversation, not every message with the same words", async () => {
    // "Continue" in a Go conversation, answered by one model; the user says another would have been better.
    const taught = await followUp("Write a Go function that reads a CSV file and sums its second column.", "continue");
    const better = taught.start.decision.model === DEFAULT_ROLE_MODELS.senior_developer ? DEFAULT_ROLE_MODELS.architect : DEFAULT_ROLE_MODELS.senior_developer;
    await learnFromFeedback(alice, { interactionId: taught.interactionId, betterModel: better });
    expect((await storedInteraction(env.db, taught.interactionId)).routing_decision.followUp).toBe(true);

    // The same word in a conversation about code of the same kind follows the pattern…
    const alike = await followUp("Write a Rust function that parses a TOML file and returns the port setting.", "continue");
    expect(alike.start.decision).toMatchObject({ reason: "pattern", model: better });
    // …and in a conversation about maths it does not: closeness of the word alone is not the kind of request.
    const other = await followUp("Solve for x: 3x + 7 = 22.", "continue");
    expect(other.start.decision.taskType).toBe("math");
    expect(other.start.decision.reason).not.toBe("pattern");
  });
});

describe("a follow-up as a neighbour", () => {
  it("teaches nothing about requests worded like it: its label and outcome are its conversation's", async () => {
    const opening = await ask(alice, { prompt: "Write a Kotlin data class for an invoice with a total() method.", model: DEFAULT_ROLE_MODELS.lead_developer });
    const next = await ask(alice, { conversationId: opening.conversationId, prompt: "keep going" });
    for (const r of [opening, next]) await learnFromFeedback(alice, { interactionId: r.interactionId, rating: 5 });
    const neighboursOf = async (id: string) => {
      const emb = (await env.db.query<{ e: string }>("select embedding::text as e from private.request_embeddings where interaction_id = $1", [id])).rows[0].e;
      return asSystemStatement((q) => requestNeighbours(q, { embedding: JSON.parse(emb), confirmed: 50, outcomes: 50 }));
    };
    // Its own words find the follow-up first of all, yet it is neither a confirmed neighbour nor a past outcome.
    const fromFollowUp = await neighboursOf(next.interactionId);
    expect(fromFollowUp.confirmed.map((n) => n.id)).not.toContain(next.interactionId);
    expect(fromFollowUp.confirmed.map((n) => n.id)).toContain(opening.interactionId);
    expect(fromFollowUp.outcomes.some((o) => o.similarity > 0.999)).toBe(false);
    // The conversation's first request is one, as before.
    const fromOpening = await neighboursOf(opening.interactionId);
    expect(fromOpening.confirmed[0]).toMatchObject({ id: opening.interactionId, task_type: "code_generation" });
  });
});
