import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, identityOf, startOrchestrator } from "../support/orchestrator";
import { USER_A, USER_B } from "../support/db";
import { learningState } from "../../lib/learning/store";
import { streamChat } from "../../lib/orchestrator/chat";
import { prepareChat } from "../../lib/orchestrator/prepare-chat";
import type { RunEvent } from "../../lib/chat/events";
import type { TaskType } from "../../lib/domain";
import { asSystem } from "../../lib/db";
import { buildDashboard } from "../../lib/analytics/dashboard";
import { DEFAULT_FILTERS } from "../../lib/analytics/filters";

/** The next message is a verdict on the answer before it, in the chat and through the API. */
let env: Awaited<ReturnType<typeof startOrchestrator>>;
const alice = identityOf(USER_A);

beforeAll(async () => {
  env = await startOrchestrator({ seed: 4 });
});
afterAll(() => env.close());

const implicitOf = async (id: string) =>
  (await env.db.query<{ implicit: { signal: string; by: string } | null }>("select feedback -> 'implicit' as implicit from interactions where id = $1", [id])).rows[0].implicit;
const evidence = async (taskType: string, model: string) => {
  const e = (await learningState()).policy[taskType as TaskType]?.[model];
  return { alpha: e?.alpha ?? 0, beta: e?.beta ?? 0 };
};

describe("implicit signals", () => {
  it("a follow-up saying it failed is a poor outcome for the previous answer, kept on it; a new question says nothing", async () => {
    const first = await ask(alice, { prompt: "Fix the CORS error when my React app calls my Express API on localhost:4000." });
    const d = first.start.decision;
    const before = await evidence(d.taskType, d.model);
    const next = await ask(alice, { conversationId: first.start.conversationId, prompt: "Still getting the same error in the console after adding that." });
    expect(await implicitOf(first.interactionId)).toMatchObject({ signal: "failed", by: next.interactionId });
    const after = await evidence(d.taskType, d.model);
    expect(after.beta).toBeGreaterThan(before.beta);

    const third = await ask(alice, { conversationId: first.start.conversationId, prompt: "Now how do I deploy the API to a Linux server with systemd?" });
    expect(await implicitOf(next.interactionId)).toBeNull();
    expect(third.end?.type).toBe("done");
  });

  it("an API client sending the conversation back with thanks: the answer it names is credited", async () => {
    const first = await ask(alice, { prompt: "How do I make a Python dataclass immutable?" });
    const answer = (await env.db.query<{ response: string }>("select response from interactions where id = $1", [first.interactionId])).rows[0].response;
    const prepared = await prepareChat(alice, {
      conversationId: null,
      prompt: "perfect, that did the trick, thanks!",
      history: [
        { role: "user", content: "How do I make a Python dataclass immutable?" },
        { role: "assistant", content: answer },
      ],
      source: "api",
    });
    expect((await prepared.previous)?.id).toBe(first.interactionId);
    // Another user sending the same text back follows up on nothing of alice's.
    const fromBob = await prepareChat(identityOf(USER_B), { conversationId: null, prompt: "thanks!", history: [{ role: "user", content: "How do I make a Python dataclass immutable?" }, { role: "assistant", content: answer }], source: "api" });
    expect(await fromBob.previous).toBeNull();
    const events: RunEvent[] = [];
    for await (const e of streamChat(prepared, new AbortController().signal)) events.push(e);
    expect(await implicitOf(first.interactionId)).toMatchObject({ signal: "thanks" });
  });

  it("the dashboard counts what follow-ups said", async () => {
    const d = await asSystem((tx) => buildDashboard(tx, { filters: DEFAULT_FILTERS }));
    expect(d.kpis.implicit).toEqual({ failed: 1, rephrase: 0, thanks: 1, abandoned: 0 });
  });
});
