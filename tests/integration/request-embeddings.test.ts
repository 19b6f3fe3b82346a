/**
 * Each request's embedding lives in a table of its own (private.request_embeddings), written
 * once with the answer's outcome: the interaction's later changes (a rating, feedback, an
 * implicit verdict) never write it again, which in the interaction's row made every such change
 * an insertion into the HNSW index. A confirmed request's embedding is copied among the
 * confirmed ones (the classifier's neighbours), and leaves them when no longer confirmed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, OPERATOR, USER_A, USER_B, userClaims } from "../support/db";
import { asSystem, asSystemStatement, useDatabase, type Database } from "../../lib/db";
import { openPglite } from "../../lib/db/pglite";
import { migrate, readMigrations } from "../../lib/db/migrate";
import { withClaims } from "../../lib/db/session";
import { createConversation, deleteConversation } from "../../lib/db/queries/conversations";
import { finishInteraction, startInteraction } from "../../lib/db/queries/interactions";
import { recordFeedback, recordServerFeedback } from "../../lib/db/queries/interaction-feedback";
import { requestNeighbours } from "../../lib/db/queries/past-interactions";
import { getInteractionEmbedding, recordRequestEmbedding } from "../../lib/db/queries/request-embeddings";
import { seededRng } from "../../lib/learning/random";

let db: Database;
beforeAll(async () => {
  db = await createTestDb();
  useDatabase(db);
});
afterAll(() => db?.close());

const rng = seededRng(5);
const vector = () => Array.from({ length: 768 }, () => rng() * 2 - 1);

async function answered(user = USER_A, { embedding = vector(), status = "completed" }: { embedding?: number[]; status?: "completed" | "failed" } = {}) {
  const conv = await withClaims(db, userClaims(user), (tx) => createConversation(tx, { title: "t" }));
  const { id } = await asSystem((tx) =>
    startInteraction(tx, { conversationId: conv.id, userId: user, prompt: `Explain B-trees ${rng()}`, taskType: "explanation", routingDecision: { model: "m" }, modelUsed: "m" }),
  );
  await asSystemStatement((q) => finishInteraction(q, { id, status, response: "A B-tree keeps keys sorted.", modelUsed: "m", routingDecision: { model: "m" }, responseTimeMs: 5 }));
  await asSystemStatement((q) => recordRequestEmbedding(q, { id, vector: embedding, model: "nomic-embed-text" }));
  return { id, conversationId: conv.id, embedding };
}

/** The embedding row's physical version (a new one each time the row is written), and whether it is among the confirmed. */
async function version(id: string) {
  const { rows } = await db.query<{ v: string; confirmed: boolean }>(
    `select r.ctid::text as v, exists (select 1 from private.confirmed_request_embeddings c where c.interaction_id = r.interaction_id) as confirmed
       from private.request_embeddings r where r.interaction_id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

describe("request embeddings, written once", () => {
  it("are written with the outcome, with their model, and read back as they were", async () => {
    const a = await answered();
    const got = await asSystem((tx) => getInteractionEmbedding(tx, { id: a.id }));
    expect(got?.model).toBe("nomic-embed-text");
    expect(got!.embedding.map((x) => Math.round(x * 1e4))).toEqual(a.embedding.map((x) => Math.round(x * 1e4)));
    expect((await version(a.id))?.confirmed).toBe(false);
  });

  it("are never written again when the interaction changes; confirmed, they join the classifier's neighbours", async () => {
    const a = await answered();
    const first = await version(a.id);
    // The next message's implicit verdict and a thumbs down: the interaction changes, its embedding's row does not.
    await asSystem((tx) => recordServerFeedback(tx, { id: a.id, feedback: { implicit: { kind: "rephrased", reward: 0.3 } } }));
    await withClaims(db, userClaims(USER_A), (tx) => recordFeedback(tx, { id: a.id, feedback: { thumbs: "down" } }));
    expect(await version(a.id)).toEqual(first);
    // Rated well: the task type is confirmed, and the classifier's neighbours find it.
    await withClaims(db, userClaims(USER_A), (tx) => recordFeedback(tx, { id: a.id, rating: 5, feedback: {} }));
    const rated = await version(a.id);
    expect(rated).toEqual({ v: first!.v, confirmed: true });
    const near = await asSystemStatement((q) => requestNeighbours(q, { embedding: a.embedding, confirmed: 5, outcomes: 5 }));
    expect(near.confirmed[0]).toMatchObject({ id: a.id, task_type: "explanation" });
    expect(near.confirmed[0].similarity).toBeGreaterThan(0.999);
    // Disputed (a thumbs down after the rating does not undo it; a stated task type changes the label, not the membership).
    await withClaims(db, userClaims(USER_A), (tx) => recordFeedback(tx, { id: a.id, feedback: { taskType: "algorithm" } }));
    const stated = await asSystemStatement((q) => requestNeighbours(q, { embedding: a.embedding, confirmed: 5, outcomes: 5 }));
    expect(stated.confirmed[0]).toMatchObject({ id: a.id, task_type: "algorithm", stated: true });
    // Rated down again: no longer confirmed, no longer a neighbour of the classifier's.
    await withClaims(db, userClaims(USER_A), (tx) => recordFeedback(tx, { id: a.id, rating: 1, feedback: { taskType: null } }));
    expect(await version(a.id)).toEqual({ v: first!.v, confirmed: false });
  });

  it("a failed request is never a confirmed neighbour, whatever is said of it", async () => {
    const f = await answered(USER_A, { status: "failed" });
    const stated = await withClaims(db, userClaims(USER_A), (tx) => recordFeedback(tx, { id: f.id, rating: 5, feedback: { taskType: "debugging" } }));
    expect(stated?.feedback).toMatchObject({ taskType: "debugging" });
    expect((await version(f.id))?.confirmed).toBe(false);
    const near = await asSystemStatement((q) => requestNeighbours(q, { embedding: f.embedding, confirmed: 5, outcomes: 5 }));
    expect(near.confirmed.map((n) => n.id)).not.toContain(f.id);
    expect(near.outcomes.some((o) => o.similarity > 0.999)).toBe(false);
  });

  it("go with their conversation, and no signed-in user can read them", async () => {
    const b = await answered(USER_B);
    for (const sub of [USER_A, USER_B, OPERATOR]) {
      await expect(withClaims(db, userClaims(sub, { operator: sub === OPERATOR }), (tx) => tx.query("select * from private.request_embeddings"))).rejects.toThrow(/permission denied/);
    }
    await withClaims(db, userClaims(USER_B), (tx) => deleteConversation(tx, { id: b.conversationId }));
    expect(await version(b.id)).toBeNull();
  });
});

describe("the migration", () => {
  it("moves the embeddings recorded in interactions into their table, confirmed as they were", async () => {
    const old = await openPglite();
    try {
      const all = readMigrations();
      const at = all.findIndex((m) => m.version === "20261215090000");
      expect(at).toBeGreaterThan(0);
      await migrate(old, { local: true, migrations: all.slice(0, at) });
      const { rows: conv } = await old.query<{ id: string }>("insert into conversations (user_id, title) values ($1, 't') returning id", [USER_A]);
      const v = `[${vector().join(",")}]`;
      const { rows } = await old.query<{ id: string }>(
        `insert into interactions (conversation_id, user_id, user_prompt, task_type, status, model_used, success_rating, prompt_embedding, embedding_model)
         values ($1, $2, 'rated', 'math', 'completed', 'm', 5, $3::extensions.vector, 'nomic-embed-text'),
                ($1, $2, 'unrated', 'math', 'completed', 'm', null, $3::extensions.vector, 'nomic-embed-text'),
                ($1, $2, 'no embedding', 'math', 'completed', 'm', null, null, null)
         returning id`,
        [conv[0].id, USER_A, v],
      );
      await migrate(old, { local: true, migrations: all });
      const moved = await old.query<{ id: string; confirmed: boolean; embedding_model: string; same: boolean }>(
        `select r.interaction_id as id, c.interaction_id is not null as confirmed, r.embedding_model, r.embedding = $1::extensions.vector as same
           from private.request_embeddings r left join private.confirmed_request_embeddings c using (interaction_id)
          order by confirmed desc`,
        [v],
      );
      expect(moved.rows).toEqual([
        { id: rows[0].id, confirmed: true, embedding_model: "nomic-embed-text", same: true },
        { id: rows[1].id, confirmed: false, embedding_model: "nomic-embed-text", same: true },
      ]);
      const cols = await old.query("select 1 from information_schema.columns where table_name = 'interactions' and column_name in ('prompt_embedding', 'embedding_model')");
      expect(cols.rows).toHaveLength(0);
    } finally {
      await old.close();
    }
  }, 120_000);
});
