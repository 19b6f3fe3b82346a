/**
 * `npm run bench:recording`: what the database spends recording an answer and what is said of
 * it, with each request's embedding in the interaction's row (the layout before
 * supabase/migrations/20261215090000_request_embeddings.sql) and in a table of its own (now),
 * side by side in one run, on databases already holding `--size` answered requests.
 *
 * Per answer, as the app writes them: the start (the row, before the first token), the finish
 * (the outcome, before the answer's end; in the row, with the embedding), the embedding (in its
 * own table, a statement of its own after the finish), the next message's implicit verdict (lib/learning/implicit-feedback.ts)
 * and the user's rating (public.give_feedback, one answer in ten rated well); and, timed apart,
 * the request path's read of the nearest requests. In the interaction's row, every write after the
 * finish made PostgreSQL write a new version of the row, which each index took again: the HNSW
 * graph of the embeddings too.
 *
 *   npm run bench:recording                          # embedded PGlite, 2,000 requests
 *   npm run bench:recording -- --size 5000 --answers 200
 *   npm run bench:recording -- --db postgres         # the PostgreSQL 15 + pgvector server of scripts/postgres.sh
 *
 * The requests are routing-bench prompts embedded by the simulator's stand-in (768
 * dimensions), so the graph has the structure of real requests, not of random vectors.
 * Writes bench/results/recording.json (PGlite) or bench/results/recording-postgres.json.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { openPglite } from "../../lib/db/pglite";
import { openPostgres } from "../../lib/db/postgres";
import type { Claims, Database, Queryable } from "../../lib/db/types";
import { migrate, readMigrations } from "../../lib/db/migrate";
import { withClaims } from "../../lib/db/session";
import { finishInteraction, startInteraction } from "../../lib/db/queries/interactions";
import { recordFeedback, recordServerFeedback } from "../../lib/db/queries/interaction-feedback";
import { recordRequestEmbedding } from "../../lib/db/queries/request-embeddings";
import { requestNeighbours } from "../../lib/db/queries/past-interactions";
import { vectorLiteral } from "../../lib/db/queries/vector-literal";
import { simEmbed } from "../../sim";
import { startPostgresServer, stopPostgresServer } from "../support/app-under-test";

const ROOT = path.resolve(import.meta.dirname, "../..");
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const SIZE = Number(arg("size", "2000"));
const ANSWERS = Number(arg("answers", "200"));
const DB = arg("db", "pglite");
const OUT = arg("out", path.join(ROOT, "bench", "results", DB === "postgres" ? "recording-postgres.json" : "recording.json"));
/** The migration that moved the embeddings out of the interaction's row. */
const SPLIT = "20261215090000";
const USER = "e0000000-0000-4000-8000-00000000000e";
const claims: Claims = { sub: USER, role: "authenticated", aud: "authenticated", email: "bench@localhost", app_metadata: { provider: "email" } };

type Layout = "in the row" | "own table";
const STEPS = ["start", "finish", "embedding", "implicit verdict", "rating"] as const;
/** The request path's read of the nearest requests (lib/db/queries/past-interactions.ts), timed apart: it is no write. */
const READ = "neighbours read";

const prompts = fs
  .readFileSync(path.join(ROOT, "bench", "routing", "data", "prompts.jsonl"), "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => (JSON.parse(l) as { prompt: string }).prompt);
const embeddingOf = (i: number) => simEmbed(`${prompts[i % prompts.length]} (${Math.floor(i / prompts.length)})`, 768);

/** The finish as it was written before the split (the embedding in the row). */
async function finishInTheRow(q: Queryable, id: string, embedding: number[]) {
  await q.query(
    `update interactions set status = 'completed', response = $2, model_used = 'm', routing_decision = '{"model":"m"}'::jsonb,
       response_time = 5, feedback = feedback || '{}'::jsonb, completed_at = now(),
       prompt_embedding = $3::extensions.vector, embedding_model = 'sim'
     where id = $1`,
    [id, "An answer of a few sentences. ".repeat(20), vectorLiteral(embedding)],
  );
}

async function answer(db: Database, layout: Layout, conversationId: string, i: number): Promise<number[]> {
  const embedding = embeddingOf(i);
  const t = [performance.now()];
  const { id } = await startInteraction(db, { conversationId, userId: USER, prompt: prompts[i % prompts.length], taskType: "general", routingDecision: { model: "m" }, modelUsed: "m" });
  t.push(performance.now());
  if (layout === "in the row") {
    await finishInTheRow(db, id, embedding);
    t.push(performance.now(), performance.now()); // the embedding was written with the finish
  } else {
    await finishInteraction(db, { id, status: "completed", response: "An answer of a few sentences. ".repeat(20), modelUsed: "m", routingDecision: { model: "m" }, responseTimeMs: 5 });
    t.push(performance.now());
    await recordRequestEmbedding(db, { id, vector: embedding, model: "sim" });
    t.push(performance.now());
  }
  await recordServerFeedback(db, { id, feedback: { implicit: { kind: "thanks", reward: 0.8 } } });
  t.push(performance.now());
  // One answer in ten rated well (its task type confirmed: a neighbour of the classifier's).
  await withClaims(db, claims, (tx) => recordFeedback(tx, { id, rating: i % 10 === 0 ? 5 : 1 + (i % 3), feedback: {} }));
  t.push(performance.now());
  return t.slice(1).map((x, k) => x - t[k]);
}

async function open(layout: Layout, serverUrl: string | null): Promise<{ db: Database; drop: () => Promise<void> }> {
  const all = readMigrations();
  const migrations = layout === "in the row" ? all.filter((m) => m.version < SPLIT) : all;
  if (!serverUrl) {
    const db = await openPglite();
    await migrate(db, { local: true, migrations });
    return { db, drop: () => db.close() };
  }
  const name = `elite_bench_recording_${layout === "in the row" ? "row" : "table"}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const db = openPostgres(u.toString(), { max: 2 });
  await migrate(db, { local: true, migrations });
  return {
    db,
    drop: async () => {
      await db.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const round = (x: number) => Math.round(x * 100) / 100;

/**
 * Both layouts at once, each step taken in turn on one and the other, so a change in the
 * machine's load falls on both alike.
 */
async function measure(serverUrl: string | null) {
  const layouts: Layout[] = ["in the row", "own table"];
  const dbs = await Promise.all(layouts.map((l) => open(l, serverUrl)));
  try {
    const convs = await Promise.all(
      dbs.map(async ({ db }) => (await db.query<{ id: string }>("insert into conversations (user_id, title) values ($1, 'bench') returning id", [USER])).rows[0].id),
    );
    const loadMs = layouts.map(() => 0);
    for (let i = 0; i < SIZE; i++)
      for (let k = 0; k < layouts.length; k++) {
        const t = performance.now();
        await answer(dbs[k].db, layouts[k], convs[k], i);
        loadMs[k] += performance.now() - t;
      }
    // Statistics as they stand once the tables have settled (the server's autovacuum takes them
    // within a minute; the app does it for the embedded database: lib/db/planner-statistics.ts).
    for (const { db } of dbs) await db.exec("analyze");
    const samples = layouts.map(() => STEPS.map(() => [] as number[]));
    const reads = layouts.map(() => [] as number[]);
    for (let i = 0; i < ANSWERS; i++)
      for (let k = 0; k < layouts.length; k++) {
        (await answer(dbs[k].db, layouts[k], convs[k], SIZE + i)).forEach((ms, j) => samples[k][j].push(ms));
        const t = performance.now();
        await requestNeighbours(dbs[k].db, { embedding: embeddingOf(10 * SIZE + i), confirmed: 15, outcomes: 20 });
        reads[k].push(performance.now() - t);
      }
    return layouts.map((layout, k) => {
      const steps = Object.fromEntries(
        [...STEPS.map((s, j) => [s, samples[k][j]] as const), [READ, reads[k]] as const].map(([s, xs]) => [s, { p50: round(quantile(xs, 0.5)), p99: round(quantile(xs, 0.99)) }]),
      );
      const perAnswer = samples[k][0].map((_, j) => samples[k].reduce((sum, xs) => sum + xs[j], 0));
      return { layout, loadSeconds: round(loadMs[k] / 1000), steps, perAnswer: { p50: round(quantile(perAnswer, 0.5)), p99: round(quantile(perAnswer, 0.99)) } };
    });
  } finally {
    for (const { drop } of dbs) await drop();
  }
}

async function main() {
  const serverUrl = DB === "postgres" ? startPostgresServer() : null;
  const load = [os.loadavg()[0]];
  try {
    const results = await measure(serverUrl);
    load.push(os.loadavg()[0]);
    const [before, after] = results;
    console.log(`\n${DB}: recording an answer at ${SIZE} recorded requests (${ANSWERS} answers timed), ms, load ${load.map((l) => l.toFixed(2)).join(" → ")}`);
    console.log(`${"step".padEnd(18)} ${"in the row p50".padStart(15)} ${"own table p50".padStart(14)} ${"ratio".padStart(6)}   ${"in the row p99".padStart(15)} ${"own table p99".padStart(14)}`);
    for (const s of [...STEPS, "per answer", READ] as const) {
      const b = s === "per answer" ? before.perAnswer : before.steps[s];
      const a = s === "per answer" ? after.perAnswer : after.steps[s];
      if (s === "embedding") console.log(`${s.padEnd(18)} ${"(in finish)".padStart(15)} ${String(a.p50).padStart(14)} ${"".padStart(6)}   ${"(in finish)".padStart(15)} ${String(a.p99).padStart(14)}`);
      else console.log(`${s.padEnd(18)} ${String(b.p50).padStart(15)} ${String(a.p50).padStart(14)} ${(b.p50 / a.p50).toFixed(1).padStart(6)}   ${String(b.p99).padStart(15)} ${String(a.p99).padStart(14)}`);
    }
    const out = {
      benchmark: "recording",
      description: "Database time to record an answer (start, finish with the request's embedding) and what is said of it (the next message's implicit verdict, a rating), with the embedding in the interaction's row (before 20261215090000_request_embeddings.sql) and in a table of its own; milliseconds",
      date: new Date().toISOString(),
      environment: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, platform: `${os.platform()} ${os.release()}`, loadAverage: load },
      settings: { database: DB, recordedRequests: SIZE, answersTimed: ANSWERS, embeddingDimensions: 768 },
      results,
      ratioOfP50: Object.fromEntries([
        ...[...STEPS, READ].filter((s) => s !== "embedding").map((s) => [s, round(before.steps[s].p50 / after.steps[s].p50)]),
        ["per answer", round(before.perAnswer.p50 / after.perAnswer.p50)],
      ]),
    };
    fs.writeFileSync(OUT, JSON.stringify(out, null, 2) + "\n");
    console.log(`written to ${path.relative(ROOT, OUT)}`);
  } finally {
    if (serverUrl) stopPostgresServer();
  }
}

await main();
