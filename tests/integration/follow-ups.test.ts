import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOrchestrator, identityOf, ask, storedInteraction } from "../support/orchestrator";
import { USER_A } from "../support/db";
import { learnFromFeedback } from "../../lib/learning/feedback";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";
import { asSystemStatement } from "../../lib/db";
import { requestNeighbours } from "../../lib/db/queries/past-interactions";

let env: Awaited<ReturnType<typeof startOrchestrator>>;
const alice = identityOf(USER_A);

beforeAll(async () => {
  env = await startOrchestrator();
});
afterAll(() => env.close());

/** A conversation: its first request answered by the lead developer's model, then a follow-up. */
async function followUp(first: string, next: string) {
  const opening = await ask(alice, { prompt: first, model: DEFAULT_ROLE_MODELS.lead_developer });
  return ask(alice, { conversationId: opening.conversationId, prompt: next });
}

describe("a routing pattern taught on a follow-up", () => {
  it("serves follow-ups of the same kind of conversation, not every message with the same words", async () => {
    // "Continue" in a Go conversation, answered by one model; the user says another would have been better.
    const taught = await followUp("Write a Go function that reads a CSV file and sums its second column.", "continue");
    const better = taught.start.decision.model === DEFAULT_ROLE_MODELS.senior_developer ? DEFAULT_ROLE_MODELS.architect : DEFAULT_ROLE_MODELS.senior_developer;
    await learnFromFeedback(alice, { interactionId: taught.interactionId, betterModel: better });
    expect((await storedInteraction(env.db, taught.interactionId)).routing_decision.inConversation).toBe(true);

    // The same word in a conversation about code of the same kind follows the pattern…
    const alike = await followUp("Write a Rust function that parses a TOML file and returns the port setting.", "continue");
    expect(alike.start.decision).toMatchObject({ reason: "pattern", model: better });
    // …and in a conversation about maths it does not: closeness of the word alone is not the kind of request.
    const other = await followUp("What is 12% of 640?", "continue");
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
      const emb = (await env.db.query<{ e: string }>("select prompt_embedding::text as e from interactions where id = $1", [id])).rows[0].e;
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
