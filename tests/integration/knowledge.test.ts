import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, identityOf, startOrchestrator } from "../support/orchestrator";
import { OPERATOR, USER_A, USER_B, userClaims } from "../support/db";
import { makePdf } from "../support/make-pdf";
import { PDF_LINES, RAFT_MD } from "../support/knowledge-docs";
import { registerKnowledgeJobs } from "../../lib/knowledge/jobs";
import { uploadDocuments, reindexDocument, removeDocument, documentViews } from "../../lib/knowledge/documents";
import { drainJobs, runOneJob } from "../../lib/jobs/worker";
import { searchKnowledge } from "../../lib/knowledge/search";
import { planRequest } from "../../lib/orchestrator/plan";
import { learnFromFeedback } from "../../lib/learning/feedback";
import { settledLearning } from "../../lib/orchestrator/learn";
import { approveEntry, learnFromGoodAnswer } from "../../lib/knowledge/manager";
import { asSystem, getDb, useDatabase, withUser, type Database } from "../../lib/db";
import { getInteraction } from "../../lib/db/queries/interactions";

const enc = (s: string) => new TextEncoder().encode(s);
const operator = identityOf(OPERATOR, true);
const user = identityOf(USER_A);


let env: Awaited<ReturnType<typeof startOrchestrator>>;

beforeAll(async () => {
  env = await startOrchestrator();
  registerKnowledgeJobs();
});
afterAll(async () => {
  await env.close();
});

async function docByTitle(title: string) {
  return (await documentViews(operator)).find((d) => d.title === title)!;
}

describe("ingestion through the job worker", () => {
  it("accepts Markdown and PDF, refuses bad files with reasons, and indexes through every stage to ready", async () => {
    const results = await uploadDocuments(operator, [
      { name: "raft.md", bytes: enc(RAFT_MD) },
      { name: "zanzibar.pdf", bytes: makePdf([PDF_LINES]) },
      { name: "empty.txt", bytes: new Uint8Array() },
      { name: "bundle.zip", bytes: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]) },
      { name: "latin1.txt", bytes: new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]) },
      { name: "raft-copy.md", bytes: enc(RAFT_MD) },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, false, false, false, false]);
    expect(results[2]).toMatchObject({ reason: expect.stringMatching(/empty/) });
    expect(results[3]).toMatchObject({ reason: expect.stringMatching(/ZIP archive/) });
    expect(results[4]).toMatchObject({ reason: expect.stringMatching(/UTF-8/) });
    expect(results[5]).toMatchObject({ reason: expect.stringMatching(/Same content/) });

    // Queued, and nothing searchable yet.
    expect((await docByTitle("raft.md")).status).toBe("queued");
    expect((await searchKnowledge({ query: "leader election heartbeat" })).hits).toHaveLength(0);

    expect(await drainJobs()).toBe(2);
    const raft = await docByTitle("raft.md");
    const pdf = await docByTitle("zanzibar.pdf");
    expect(raft).toMatchObject({ status: "ready", progress: 1, error: null, embeddingModel: "nomic-embed-text" });
    expect(raft.chunkCount).toBeGreaterThanOrEqual(2);
    expect(pdf.status).toBe("ready");
    expect(pdf.chunkCount).toBeGreaterThanOrEqual(1);

    // Uploading the same document again is refused as a duplicate of the stored one.
    const again = await uploadDocuments(operator, [{ name: "raft-again.md", bytes: enc(RAFT_MD) }]);
    expect(again[0]).toMatchObject({ ok: false, reason: expect.stringMatching(/Already uploaded as “raft.md”/) });
  });

  it("hybrid search ranks the right chunk first, with scores, and filters by source and topic", async () => {
    const r = await searchKnowledge({ query: "How does a Raft follower start a leader election?" });
    expect(r.mode).toBe("hybrid");
    expect(r.hits[0].topic).toBe("raft.md › Raft consensus handbook › Leader election");
    expect(r.hits[0].score).toBeGreaterThan(0);
    expect(r.hits[0].similarity).toBeGreaterThan(0.3);
    expect(r.hits[0].vectorPos).toBe(1);
    const z = await searchKnowledge({ query: "Zanzibar relation tuples check" });
    expect(z.hits[0].documentTitle).toBe("zanzibar.pdf");
    expect(z.hits[0].content).toContain("relation tuples");
    // Filters: the learned sources hold nothing yet; a topic filter keeps only that section.
    expect((await searchKnowledge({ query: "Raft leader election", filters: { sources: ["user_feedback"] } })).hits).toHaveLength(0);
    const topical = await searchKnowledge({ query: "Raft leader log", filters: { topic: "log replication" } });
    expect(topical.hits.length).toBeGreaterThan(0);
    expect(topical.hits.every((h) => h.topic.includes("Log replication"))).toBe(true);
    // Unrelated queries fall under the relevance threshold.
    expect((await searchKnowledge({ query: "bake sourdough bread with rye flour" })).hits).toHaveLength(0);
  });

  it("a request's search holds no transaction: its reads run by themselves, the two candidate reads at once", async () => {
    const db = await getDb();
    const counts = { transactions: 0, statements: 0 };
    const counting: Database = {
      ...db,
      transaction: (fn) => (counts.transactions++, db.transaction(fn)),
      query: (sql, params) => (counts.statements++, db.query(sql, params)),
    };
    useDatabase(counting);
    try {
      const r = await searchKnowledge({ query: "How does a Raft follower start a leader election?" });
      expect(r.hits[0].topic).toBe("raft.md › Raft consensus handbook › Leader election");
      expect(counts.transactions).toBe(0);
      // vector and text candidates, the winners' rows (and the common words, when their minute is up)
      expect(counts.statements).toBeGreaterThanOrEqual(3);
      expect(counts.statements).toBeLessThanOrEqual(4);
      // A topic filter needs the iterative scan's settings: those last for a transaction.
      const topical = await searchKnowledge({ query: "Raft leader log", filters: { topic: "log replication" } });
      expect(topical.hits.every((h) => h.topic.includes("Log replication"))).toBe(true);
      expect(counts.transactions).toBe(1);
    } finally {
      useDatabase(db);
    }
  });

  it("keeps the code block whole in one chunk", async () => {
    const r = await searchKnowledge({ query: "becomeCandidate votedFor term", limit: 20, minSimilarity: 0, minTextRank: 0 });
    expect(r.hits.filter((h) => h.documentTitle === "raft.md").length).toBeGreaterThanOrEqual(2);
    const withCode = r.hits.filter((h) => h.content.includes("func (r *Raft) becomeCandidate"));
    expect(withCode).toHaveLength(1);
    expect(withCode[0].content).toMatch(/```go[\s\S]*r\.state = Candidate\n}\n```/);
  });
});

describe("Knowledge Manager", () => {
  it("raises the confidence of the entries an answer used when it is rated well, and lowers it when rated badly", async () => {
    const prompt = "How does the Raft leader election work after a heartbeat timeout?";
    const good = await ask(user, { prompt });
    const used = (good.end as { decision: { knowledge?: { id: string }[] } }).decision.knowledge!.map((k) => k.id);
    expect(used.length).toBeGreaterThan(0);
    const conf = async () => Number((await asSystem((tx) => tx.query<{ confidence: number }>("select confidence from knowledge_base where id = $1", [used[0]]))).rows[0].confidence);
    const uses = async () => Number((await asSystem((tx) => tx.query<{ uses: string }>("select metadata ->> 'uses' as uses from knowledge_base where id = $1", [used[0]]))).rows[0].uses);
    await settledLearning();
    const before = await conf();
    const usesBefore = await uses();
    await learnFromFeedback(user, { interactionId: good.interactionId, rating: 5 });
    const afterGood = await conf();
    expect(afterGood).toBeGreaterThan(before);
    expect(await uses()).toBe(usesBefore); // the answer was counted when it finished: its rating replaces that, no second use

    const bad = await ask(user, { prompt: "Raft leader election: what happens after the heartbeat timeout?" });
    const usedBad = (bad.end as { decision: { knowledge?: { id: string }[] } }).decision.knowledge!.map((k) => k.id);
    expect(usedBad).toContain(used[0]);
    await learnFromFeedback(user, { interactionId: bad.interactionId, rating: 1 });
    expect(await conf()).toBeLessThan(afterGood);
  });

  it("turns a highly rated answer into an interaction_learning entry and merges a near-duplicate into it", async () => {
    const a = await ask(user, { prompt: "Write a TypeScript function that debounces another function." });
    await learnFromFeedback(user, { interactionId: a.interactionId, thumbs: "up" });
    const learned = await asSystem((tx) =>
      tx.query<{ id: string; status: string; source: string }>("select id, status, source from knowledge_base where interaction_id = $1", [a.interactionId]),
    );
    expect(learned.rows).toEqual([expect.objectContaining({ status: "active", source: "interaction_learning" })]);

    // Two answers that differ in one word: the second is merged into the first, which gains confidence.
    const row = (await asSystem((tx) => getInteraction(tx, { id: a.interactionId })))!;
    const answer = "Use a closure over a timer id: clear the pending timeout on every call, then set a new timeout that calls the function with the latest arguments after the wait.";
    const first = await learnFromGoodAnswer({ ...row, id: a.interactionId, user_prompt: "How do I throttle scroll events with a closure timer in TypeScript?", response: answer }, { rating: 5 });
    expect(first).toMatchObject({ merged: false });
    const conf = async (id: string) => Number((await asSystem((tx) => tx.query<{ confidence: number }>("select confidence from knowledge_base where id = $1", [id]))).rows[0].confidence);
    const before = await conf(first!.id);
    const second = await learnFromGoodAnswer({ ...row, user_prompt: "How do I throttle scroll events with a closure timer in TypeScript?", response: answer.replace("latest", "newest") }, { rating: 4 });
    expect(second).toEqual({ id: first!.id, merged: true });
    expect(await conf(first!.id)).toBeGreaterThan(before);
    const merged = await asSystem((tx) => tx.query<{ metadata: { mergedInto?: string } }>("select metadata from knowledge_base where status = 'merged'"));
    expect(merged.rows.map((r) => r.metadata.mergedInto)).toEqual([first!.id]);
    // The exact same answer again is recognised by its hash and not stored at all.
    const again = await learnFromGoodAnswer({ ...row, user_prompt: "How do I throttle scroll events with a closure timer in TypeScript?", response: answer }, { rating: 5 });
    expect(again?.id).toBe(first!.id);
  });

  it("keeps a correction pending (not in search) until an operator approves it", async () => {
    const a = await ask(user, { prompt: "What port does PostgreSQL listen on by default?" });
    await learnFromFeedback(user, { interactionId: a.interactionId, correction: "PostgreSQL listens on port 5432 by default (quokka)." });
    const pending = await asSystem((tx) => tx.query<{ id: string; status: string }>("select id, status from knowledge_base where source = 'user_feedback'"));
    expect(pending.rows).toEqual([expect.objectContaining({ status: "pending" })]);
    expect((await searchKnowledge({ query: "PostgreSQL default port quokka" })).hits.filter((h) => h.source === "user_feedback")).toHaveLength(0);
    // The Knowledge Manager's advisory review waits with it for the operator, and the call was recorded.
    const review = await asSystem((tx) => tx.query<{ r: { reusable: boolean; reason: string; model: string } }>("select metadata -> 'review' as r from knowledge_base where id = $1", [pending.rows[0].id]));
    expect(typeof review.rows[0].r.reusable).toBe("boolean");
    expect(review.rows[0].r.reason.length).toBeGreaterThan(0);
    const calls = await asSystem((tx) => tx.query<{ n: number }>("select count(*)::int as n from audit_log where action = 'agent.review_correction' and actor = 'agent:knowledge_manager'"));
    expect(calls.rows[0].n).toBe(1);
    expect(await approveEntry(operator, pending.rows[0].id)).toEqual({ status: "active" });
    const hits = (await searchKnowledge({ query: "PostgreSQL default port quokka" })).hits;
    expect(hits[0]).toMatchObject({ id: pending.rows[0].id, source: "user_feedback" });
  });
});

describe("knowledge scoped by owner", () => {
  it("an answer learned from user A grounds A's requests only, is not readable by B, and reaches B once an operator shares it", async () => {
    const bob = identityOf(USER_B);
    const prompt = "How do I rotate the zebrafish log files without losing lines?";
    const a = await ask(user, { prompt });
    await learnFromFeedback(user, { interactionId: a.interactionId, rating: 5 });
    const entry = (await asSystem((tx) => tx.query<{ id: string; owner_id: string | null }>("select id, owner_id from knowledge_base where interaction_id = $1", [a.interactionId]))).rows[0];
    expect(entry.owner_id).toBe(USER_A);

    const used = async (userId: string) => (await planRequest({ experimentUnit: crypto.randomUUID(), userId, prompt, history: [] })).retrieved.map((r) => r.id);
    expect(await used(USER_A)).toContain(entry.id);
    expect(await used(USER_B)).not.toContain(entry.id);
    // B cannot read it through the API roles either; A can.
    const readAs = (sub: string) => withUser(userClaims(sub), (tx) => tx.query("select 1 from knowledge_base where id = $1", [entry.id])).then((r) => r.rows.length);
    expect(await readAs(USER_B)).toBe(0);
    expect(await readAs(USER_A)).toBe(1);
    // B's own answer to the same question, asked through the chat, is not grounded in A's.
    const b = await ask(bob, { prompt });
    expect(((b.end as { decision: { knowledge?: { id: string }[] } }).decision.knowledge ?? []).map((k) => k.id)).not.toContain(entry.id);

    // An operator shares it: now everyone's requests may use it.
    expect(await approveEntry(operator, entry.id)).toEqual({ status: "active" });
    expect(await used(USER_B)).toContain(entry.id);
    expect(await readAs(USER_B)).toBe(1);
  });
});

describe("failures", () => {
  it("a failed embedding leaves the document failed and retryable with its reason, nothing half-indexed", async () => {
    const [up] = await uploadDocuments(operator, [{ name: "kafka.md", bytes: enc("# Kafka\n\nKafka partitions are replicated across brokers; the ISR tracks in-sync replicas.") }]);
    expect(up.ok).toBe(true);
    env.sim.setFaults([{ model: "nomic-embed-text", fault: "http500" }]);
    try {
      const first = await runOneJob();
      expect(first).toMatchObject({ ran: true, status: "retry" });
      let doc = await docByTitle("kafka.md");
      expect(doc.status).toBe("queued");
      expect(doc.error).toMatch(/Attempt 1 failed: Embedding with nomic-embed-text failed/);
      // Retries wait their backoff: nothing is due now.
      expect((await runOneJob()).ran).toBe(false);
      // Make the retries due and let them fail too: the third failure is final.
      for (let i = 0; i < 2; i++) {
        await asSystem((tx) => tx.query("update jobs set run_after = now() where status = 'queued'"));
        await runOneJob();
      }
      doc = await docByTitle("kafka.md");
      expect(doc.status).toBe("failed");
      expect(doc.error).toMatch(/Embedding with nomic-embed-text failed/);
      expect(doc.chunkCount).toBe(0);
      const kafkaHits = (await searchKnowledge({ query: "Kafka partitions replicated brokers ISR", minSimilarity: 0, minTextRank: 0 })).hits;
      expect(kafkaHits.filter((h) => h.documentTitle === "kafka.md")).toHaveLength(0);
    } finally {
      env.sim.clearFaults();
    }
    // Retry from the page: it indexes now.
    await reindexDocument(operator, (await docByTitle("kafka.md")).id);
    await drainJobs();
    expect(await docByTitle("kafka.md")).toMatchObject({ status: "ready", error: null });
    // Indexed now: found, and nearest in meaning (the fused order also weighs other entries' confidence, which earlier tests moved).
    const kafka = (await searchKnowledge({ query: "Kafka partitions replicated brokers ISR" })).hits.find((h) => h.documentTitle === "kafka.md");
    expect(kafka).toMatchObject({ vectorPos: 1, textPos: 1 });
  });

  it("re-indexing replaces the chunks atomically and delete removes them", async () => {
    const doc = await docByTitle("kafka.md");
    const count = async () => Number((await asSystem((tx) => tx.query<{ n: number }>("select count(*)::int n from knowledge_base where document_id = $1", [doc.id]))).rows[0].n);
    const n = await count();
    await reindexDocument(operator, doc.id);
    // While queued, the old chunks stay searchable (never half a document).
    expect(await count()).toBe(n);
    await drainJobs();
    expect(await count()).toBe(n);
    await removeDocument(operator, doc.id);
    expect(await count()).toBe(0);
    const after = (await searchKnowledge({ query: "Kafka partitions replicated brokers ISR", minSimilarity: 0, minTextRank: 0 })).hits;
    expect(after.filter((h) => h.documentTitle === "kafka.md")).toHaveLength(0);
  });

  it("a PDF without text fails for good (no retry) with a clear reason", async () => {
    const [up] = await uploadDocuments(operator, [{ name: "scan.pdf", bytes: makePdf([[]]) }]);
    expect(up.ok).toBe(true);
    const r = await runOneJob();
    expect(r).toMatchObject({ ran: true, status: "failed" });
    expect(await docByTitle("scan.pdf")).toMatchObject({ status: "failed", error: expect.stringMatching(/no extractable text/) });
  });

  it("refuses uploads from a user who is not an operator", async () => {
    await expect(uploadDocuments(user, [{ name: "x.md", bytes: enc("# x\n\nhello") }])).rejects.toThrow(/Only operators/);
  });
});
