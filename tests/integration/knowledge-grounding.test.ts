/**
 * Grounding: which knowledge goes into a model's prompt (lib/orchestrator/retrieve-knowledge.ts,
 * grounding-relevance.ts) and how it is fitted and recorded, on documents uploaded through the
 * job worker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, identityOf, startOrchestrator } from "../support/orchestrator";
import { OPERATOR, USER_A } from "../support/db";
import { makePdf } from "../support/make-pdf";
import { PDF_LINES, RAFT_MD } from "../support/knowledge-docs";
import { registerKnowledgeJobs } from "../../lib/knowledge/jobs";
import { uploadDocuments } from "../../lib/knowledge/documents";
import { drainJobs } from "../../lib/jobs/worker";
import { planRequest } from "../../lib/orchestrator/plan";
import { UNRELATED_NEARER_WITH_WORDS } from "../../lib/orchestrator/grounding-relevance";
import { asSystem } from "../../lib/db";
import { getInteraction } from "../../lib/db/queries/interactions";

const user = identityOf(USER_A);
let env: Awaited<ReturnType<typeof startOrchestrator>>;

beforeAll(async () => {
  env = await startOrchestrator();
  registerKnowledgeJobs();
  const uploaded = await uploadDocuments(identityOf(OPERATOR, true), [
    { name: "raft.md", bytes: new TextEncoder().encode(RAFT_MD) },
    { name: "zanzibar.pdf", bytes: makePdf([PDF_LINES]) },
  ]);
  expect(uploaded.map((u) => u.ok)).toEqual([true, true]);
  expect(await drainJobs()).toBe(2);
});
afterAll(async () => {
  await env.close();
});

describe("grounded answers", () => {
  it("puts relevant chunks into the system prompt and records them in the interaction", async () => {
    const prompt = "Explain how a Raft follower becomes a candidate and wins the leader election.";
    const plan = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt, history: [] });
    expect(plan.retrieved.length).toBeGreaterThan(0);
    expect(plan.chain[0].knowledge[0].topic).toContain("Leader election");
    expect(plan.chain[0].system).toContain("[1] raft.md › Raft consensus handbook › Leader election");
    expect(plan.chain[0].system).toContain("requests votes from every peer");
    // Only what is about it: not the other documents, which are no nearer to it than unrelated requests are.
    expect(plan.retrieved.every((c) => c.topic.startsWith("raft.md"))).toBe(true);

    const res = await ask(user, { prompt });
    expect(res.end?.type).toBe("done");
    const decision = (res.end as { decision: { knowledge?: { id: string; topic: string; closeness?: number }[] } }).decision;
    expect(decision.knowledge?.[0].topic).toContain("Leader election");
    // How near, by the embedding model's own standard: what "Why this model?" says of it.
    for (const k of decision.knowledge!) expect(k.closeness).toBeGreaterThanOrEqual(1 - UNRELATED_NEARER_WITH_WORDS);
    const row = await asSystem((tx) => getInteraction(tx, { id: res.interactionId }));
    expect((row!.routing_decision as { knowledge?: unknown[] }).knowledge).toEqual(decision.knowledge);
  });

  it("grounds a request for a named model too: its plan waits for the embedding when there is knowledge", async () => {
    const prompt = "Explain how a Raft follower becomes a candidate and wins the leader election.";
    const plan = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt, history: [], forcedModel: "openhermes" });
    expect(plan.chain[0].model).toBe("openhermes");
    expect(plan.chain[0].system).toContain("[1] raft.md › Raft consensus handbook › Leader election");
    expect(plan.embedding).not.toBeNull();
  });

  it("grounds a follow-up in its conversation's knowledge, which its own few words do not find", async () => {
    const before = "Explain how a Raft follower becomes a candidate and wins the leader election.";
    const followUp = "and in code?";
    const alone = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt: followUp, history: [] });
    expect(alone.retrieved).toHaveLength(0);
    const history = [{ role: "user" as const, content: before }, { role: "assistant" as const, content: "A follower that hears no heartbeat…" }];
    const plan = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt: followUp, history });
    expect(plan.followUp).toBe(true);
    expect(plan.chain[0].system).toContain("raft.md › Raft consensus handbook › Leader election");
    // Its own words are embedded too (what the message itself says is read from them), in the same call.
    const embeddings = await plan.embed();
    expect(embeddings!.own).not.toEqual(embeddings!.request);
    expect(plan.embedding).toEqual(embeddings!.request);
    // A request that is not a follow-up has one embedding.
    const full = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt: before, history: [{ role: "user", content: "What is 17 * 23?" }] });
    const one = await full.embed();
    expect(one!.own).toEqual(one!.request);
  });

  it("leaves unrelated requests without knowledge", async () => {
    const plan = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt: "What is 17 * 23?", history: [] });
    expect(plan.retrieved).toHaveLength(0);
    expect(plan.chain[0].knowledge).toHaveLength(0);
    expect(plan.chain[0].system).not.toContain("Reference material");
  });

  it("fits knowledge into a small context window, dropping what does not fit", async () => {
    const { fitKnowledge } = await import("../../lib/knowledge/grounding");
    const chunks = [
      { id: "a", topic: "A", content: "x".repeat(2000), score: 0.9 },
      { id: "b", topic: "B", content: "short and useful", score: 0.8 },
    ];
    const g = fitKnowledge(chunks, 200);
    expect(g.used.map((u) => u.id)).toEqual(["b"]);
    expect(g.text).toContain("[1] B");
    expect(fitKnowledge(chunks, 5).used).toHaveLength(0);
  });
});
