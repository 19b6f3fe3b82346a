/**
 * Two `next start` processes of the built app on one PostgreSQL database (Supabase mode; the
 * clients authenticate with an API key): a rating given through one changes what the other
 * routes on, and 200 concurrent requests split across both lose no count.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ollama } from "ollama";
import { createTestDb, urlOf, USER_A, userClaims } from "../support/db";
import { startAppServer, type AppServer } from "../support/app-server";
import { startFakeGoTrue } from "../support/fake-gotrue";
import { startSimulator, type Simulator } from "../../sim";
import { withClaims } from "../../lib/db/session";
import { createApiKey } from "../../lib/db/queries/api-keys";
import { generateApiKey } from "../../lib/api/key-format";
import type { Database } from "../../lib/db/types";

const PORT = Number(process.env.E2E_APP_PORT ?? 3100) + 40;
let db: Database;
let sim: Simulator;
let gotrue: Awaited<ReturnType<typeof startFakeGoTrue>>;
let servers: AppServer[] = [];
let key: string;

beforeAll(async () => {
  db = await createTestDb();
  const url = urlOf(db);
  if (!url) throw new Error("tests/postgres runs on the PostgreSQL server: use npm run test:postgres");
  const k = generateApiKey();
  await withClaims(db, userClaims(USER_A), (tx) => createApiKey(tx, { name: "two servers", prefix: k.prefix, keyHash: k.hash }));
  key = k.secret;
  sim = await startSimulator({ port: 0, seed: 5, timeScale: 0.01 });
  gotrue = await startFakeGoTrue();
  const env = {
    DATABASE_URL: url,
    NEXT_PUBLIC_SUPABASE_URL: gotrue.url,
    NEXT_PUBLIC_SUPABASE_ANON_KEY: "anon-key-for-the-fake-gotrue-server",
    OLLAMA_HOST: sim.url,
  };
  servers = await Promise.all([startAppServer({ port: PORT, env }), startAppServer({ port: PORT + 1, env })]);
}, 240_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await sim?.close();
  await gotrue?.close();
  await db?.close();
});

const client = (s: AppServer) => new Ollama({ host: s.url, headers: { Authorization: `Bearer ${key}` } });
type Elite = { interaction_id: string; model: string; task_type: string; means: Record<string, number> | null };
const PROMPT = "Prove that the sum of the first n odd numbers is n squared.";

/** What an instance would route this request on now: the means in the first chunk, then the request is cancelled (a cancelled answer teaches nothing). */
async function probe(s: AppServer): Promise<Elite> {
  const stream = await client(s).chat({ model: "elite", stream: true, messages: [{ role: "user", content: PROMPT }] });
  for await (const chunk of stream) {
    const elite = (chunk as unknown as { elite?: Elite }).elite;
    if (elite) {
      stream.abort();
      return elite;
    }
  }
  throw new Error("no elite metadata in the stream");
}

async function outcomesCounted(): Promise<number> {
  const { rows } = await db.query<{ n: number }>("select coalesce(sum((performance_data ->> 'outcomes')::float8), 0)::float8 as n from model_performance");
  return rows[0].n;
}

describe("two app instances on one database", () => {
  it("200 concurrent requests split across both: every one recorded, every outcome counted once", async () => {
    const before = { outcomes: await outcomesCounted(), interactions: (await db.query<{ n: number }>("select count(*)::int as n from interactions")).rows[0].n };
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client(servers[i % 2]).chat({ model: "elite", stream: false, messages: [{ role: "user", content: `Write a function that returns ${i} squared.` }] }),
      ),
    );
    expect(answers.every((a) => a.message.content.length > 0)).toBe(true);
    const { rows } = await db.query<{ n: number; completed: number }>(
      "select count(*)::int as n, count(*) filter (where status = 'completed')::int as completed from interactions",
    );
    expect(rows[0].n - before.interactions).toBe(200);
    expect(rows[0].completed - before.interactions).toBe(200);
    // One counted outcome per completed answer, whichever instance wrote it, none lost to the
    // other. An answer is learned from after the client has it: the counts arrive just after.
    await expect.poll(async () => (await outcomesCounted()) - before.outcomes, { timeout: 30_000 }).toBeGreaterThanOrEqual(200);
    expect((await outcomesCounted()) - before.outcomes).toBe(200);
  }, 240_000);

  it("a rating given through one instance changes what the other routes on, by notification", async () => {
    await fetch(`${sim.url}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ faults: [{ fault: "slow:200" }] }) });
    try {
      const [a, b] = servers;
      const beforeB = await probe(b);
      expect(beforeB.means).not.toBeNull();
      // Through A: an answer, rated one star.
      await fetch(`${sim.url}/__sim/faults`, { method: "DELETE" });
      const answer = await client(a).chat({ model: "elite", stream: false, messages: [{ role: "user", content: PROMPT }] });
      const rated = (answer as unknown as { elite: Elite }).elite;
      expect(rated.task_type).toBe(beforeB.task_type);
      const fb = await fetch(`${a.url}/api/feedback`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ interaction_id: rated.interaction_id, rating: 1 }),
      });
      expect(fb.status).toBe(200);
      await fetch(`${sim.url}/__sim/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ faults: [{ fault: "slow:200" }] }) });
      // B now weighs the rated model as A does (A wrote the change; B only heard about it).
      const t0 = Date.now();
      let seenA: Elite;
      let seenB: Elite;
      do {
        [seenA, seenB] = [await probe(a), await probe(b)];
      } while (Math.abs(seenB.means![rated.model] - seenA.means![rated.model]) > 1e-4 && Date.now() - t0 < 20_000);
      expect(seenB.means![rated.model]).toBeCloseTo(seenA.means![rated.model], 4);
      expect(seenB.means![rated.model]).not.toBeCloseTo(beforeB.means![rated.model], 4);
      console.log(`the rating reached the other instance's routing in ${Date.now() - t0} ms`);
    } finally {
      await fetch(`${sim.url}/__sim/faults`, { method: "DELETE" });
    }
  }, 120_000);

  it("an operator's key changes routing through one instance and the other routes by it at once; a plain user's key, or one whose operator role was taken away, gets a 403", async () => {
    // Supabase Auth keeps each user's app_metadata in auth.users (only the service role writes it); the test database stands in for it.
    const OPERATOR = "0b000000-0000-4000-8000-0000000000b0";
    await db.query("create table if not exists auth.users (id uuid primary key, raw_app_meta_data jsonb not null default '{}'::jsonb)");
    await db.query(`insert into auth.users (id, raw_app_meta_data) values ($1, '{"provider": "email", "role": "operator"}'), ($2, '{"provider": "email"}') on conflict (id) do nothing`, [OPERATOR, USER_A]);
    const k = generateApiKey();
    await withClaims(db, userClaims(OPERATOR), (tx) => createApiKey(tx, { name: "provisioning", prefix: k.prefix, keyHash: k.hash }));
    const [a, b] = servers;
    const put = (secret: string, body: unknown) =>
      fetch(`${a.url}/api/routing`, { method: "PUT", headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    const listedBy = async (s: AppServer) => ((await (await fetch(`${s.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: { id: string }[] }).data.map((m) => m.id);

    expect((await put(key, { roles: { math: "wizardcoder" }, also_routed: ["mathstral"] })).status).toBe(403);
    const changed = await put(k.secret, { roles: { math: "wizardcoder" }, also_routed: ["mathstral"] });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ roles: { math: "wizardcoder" }, also_routed: ["mathstral:latest"] });
    try {
      // B heard of it: its next request reads the new roster (mathstral now answers by name, without a role).
      await expect.poll(async () => (await (await fetch(`${b.url}/api/routing`, { headers: { authorization: `Bearer ${key}` } })).json()).roles.math, { timeout: 10_000 }).toBe("wizardcoder");
      expect(await listedBy(b)).toContain("mathstral");
      const named = await client(b).chat({ model: "mathstral", stream: false, messages: [{ role: "user", content: "What is 12 squared?" }] });
      expect((named as unknown as { elite: Elite }).elite.model).toMatch(/^mathstral/);
      // Taken away in Supabase Auth: the same key is refused at its next change.
      await db.query(`update auth.users set raw_app_meta_data = raw_app_meta_data - 'role' where id = $1`, [OPERATOR]);
      expect((await put(k.secret, { also_routed: [] })).status).toBe(403);
      await db.query(`update auth.users set raw_app_meta_data = raw_app_meta_data || '{"role": "operator"}' where id = $1`, [OPERATOR]);
    } finally {
      const restored = await put(k.secret, { roles: { math: "mathstral" }, also_routed: [] });
      expect(restored.status).toBe(200);
    }
  }, 60_000);
});
