import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, USER_A } from "../support/db";
import { asSystemStatement, useDatabase, type Database } from "../../lib/db";
import { requestNeighbours } from "../../lib/db/queries/past-interactions";
import { seededRng } from "../../lib/learning/random";

/**
 * The request path's two nearest-neighbour reads of recorded requests go through the HNSW
 * index with the filters applied as the scan goes on: whatever their order in the index, they
 * return only qualifying rows, nearest first, as many as asked when that many qualify, and
 * (the index being approximate) nearly the same rows an exact scan finds.
 */
let db: Database;
const DIM = 768;
const rng = seededRng(7);
const unitVector = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const randomVector = () => unitVector(Array.from({ length: DIM }, () => rng() * 2 - 1));
const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);

interface Row {
  id: string;
  embedding: number[];
  status: string;
  model: string | null;
  rating: number | null;
  feedback: Record<string, unknown>;
}
const rows: Row[] = [];

beforeAll(async () => {
  db = await createTestDb();
  useDatabase(db);
  const { rows: conv } = await db.query<{ id: string }>("insert into conversations (user_id, title) values ($1, 'nearest') returning id", [USER_A]);
  // 400 requests around a few centres, so neighbourhoods are dense; about one in eight confirmed.
  const centres = Array.from({ length: 5 }, randomVector);
  for (let i = 0; i < 400; i++) {
    const c = centres[i % centres.length];
    const embedding = unitVector(c.map((x) => x + (rng() * 2 - 1) * 0.04));
    const status = i % 10 === 0 ? "failed" : "completed";
    const model = status === "completed" ? `m${i % 3}` : null;
    const rating = i % 8 === 0 ? 5 : i % 8 === 1 ? 2 : null;
    const feedback = i % 16 === 3 ? { taskType: "debugging" } : {};
    const { rows: r } = await db.query<{ id: string }>(
      `with i as (
         insert into interactions (conversation_id, user_id, user_prompt, task_type, status, model_used, success_rating, feedback)
         values ($1, $2, $3, 'algorithm', $4, $5, $6, $7::jsonb) returning id)
       insert into private.request_embeddings (interaction_id, embedding, embedding_model)
       select id, $8::extensions.vector, 'sim' from i
       returning interaction_id as id`,
      [conv[0].id, USER_A, `request ${i}`, status, model, rating, JSON.stringify(feedback), `[${embedding.join(",")}]`],
    );
    rows.push({ id: r[0].id, embedding, status, model, rating, feedback });
  }
});
afterAll(() => db?.close());

const exact = (query: number[], keep: (r: Row) => boolean, limit: number) =>
  rows
    .filter(keep)
    .map((r) => ({ r, s: cosine(query, r.embedding) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, limit);

describe("nearest recorded requests through the vector index", () => {
  const confirmed = (r: Row) => r.status === "completed" && ((r.rating ?? 0) >= 4 || "taskType" in r.feedback);
  const answered = (r: Row) => r.status === "completed" && r.model !== null;

  it("confirmed neighbours: only confirmed rows, nearest first, as many as asked, nearly the exact ones", async () => {
    for (let q = 0; q < 5; q++) {
      const query = rows[q * 37].embedding;
      const { confirmed: got } = await asSystemStatement((q) => requestNeighbours(q, { embedding: query, confirmed: 15, outcomes: 20 })); // as the request path reads them
      const want = exact(query, confirmed, 15);
      expect(got).toHaveLength(15);
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const g of got) expect(confirmed(byId.get(g.id)!)).toBe(true);
      const sims = got.map((g) => cosine(query, byId.get(g.id)!.embedding));
      expect(sims).toEqual([...sims].sort((a, b) => b - a));
      // the similarity comes from the index's distance, not from embeddings sent back
      got.forEach((g, i) => expect(g.similarity).toBeCloseTo(sims[i], 5));
      expect(got[0]).not.toHaveProperty("embedding");
      expect(got.find((g) => byId.get(g.id)!.feedback.taskType)?.task_type ?? "debugging").toBe("debugging");
      const recall = got.filter((g) => want.some((w) => w.r.id === g.id)).length / want.length;
      expect(recall).toBeGreaterThanOrEqual(0.8);
    }
  });

  it("outcomes: only answered rows, nearest first, with their similarity", async () => {
    for (let q = 0; q < 5; q++) {
      const query = rows[q * 41 + 1].embedding;
      const { outcomes: got } = await asSystemStatement((q) => requestNeighbours(q, { embedding: query, confirmed: 15, outcomes: 20 }));
      const top = exact(query, answered, 20);
      // Of the 20 nearest answered requests, those whose reward is known (here: rated) come back.
      const want = top.filter((w) => w.r.rating !== null);
      expect(got.length).toBeGreaterThan(0);
      expect(got.length).toBeLessThanOrEqual(20);
      const sims = got.map((g) => g.similarity);
      expect(sims).toEqual([...sims].sort((a, b) => b - a));
      const found = want.filter((w) => sims.some((s) => Math.abs(w.s - s) < 1e-5)).length;
      expect(found / want.length).toBeGreaterThanOrEqual(0.8);
      for (const s of sims) expect(s).toBeGreaterThanOrEqual(top[top.length - 1].s - 0.02);
      for (const g of got) expect(["m0", "m1", "m2"]).toContain(g.model);
    }
  });
});
