/**
 * Knowledge benchmark: ingestion throughput (chunks/s: parse + chunk only, + the simulator's
 * embeddings, and the whole job into the database, on a small corpus through the real path)
 * and hybrid search latency p50/p95 (with each part: vector, full text, fusion, row fetch) at
 * corpus sizes bulk-loaded into the embedded database, with peak memory (RSS).
 *
 *   npm run bench:knowledge                       # sizes 10000,100000, embedded PGlite
 *   npm run bench:knowledge -- --sizes 1000,10000
 *   npm run bench:knowledge -- --db postgres      # the PostgreSQL 15 + pgvector server of scripts/postgres.sh
 *
 * Writes bench/results/knowledge.json (PGlite) or bench/results/knowledge-postgres.json.
 */
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { execFileSync } from "node:child_process";
import postgres from "postgres";
import { openPglite } from "../../lib/db/pglite";
import { openPostgres } from "../../lib/db/postgres";
import type { Database } from "../../lib/db/types";
import { migrate } from "../../lib/db/migrate";
import { asSystem, useDatabase } from "../../lib/db";
import { OllamaPool } from "../../lib/ollama";
import { startSimulator, simEmbed } from "../../sim";
import { chunkText } from "../../lib/knowledge/chunk";
import { extractText } from "../../lib/knowledge/parse";
import { embedTexts } from "../../lib/knowledge/embed";
import { chunkEmbeddingText, chunkHash } from "../../lib/knowledge/ingest";
import { registerKnowledgeJobs } from "../../lib/knowledge/jobs";
import { uploadDocuments } from "../../lib/knowledge/documents";
import { drainJobs } from "../../lib/jobs/worker";
import { searchKnowledge } from "../../lib/knowledge/search";
import { LOCAL_OPERATOR_CLAIMS } from "../../lib/auth/claims";
import type { Identity } from "../../lib/auth";

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const SIZES = arg("sizes", "10000,100000").split(",").map(Number);
const QUERIES = Number(arg("queries", "60"));
const DB = arg("db", "pglite") as "pglite" | "postgres";

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
sampler.unref();

// A deterministic vocabulary so documents share some words (like real ones) but differ.
const VOCAB = Array.from({ length: 4000 }, (_, i) => `w${(i * 2654435761) % 1000003}`.slice(0, 7) + String.fromCharCode(97 + (i % 26)));
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
const words = (n: number) => Array.from({ length: n }, () => VOCAB[Math.floor(rnd() ** 2 * VOCAB.length)]).join(" ");
function markdownDoc(sections: number): string {
  let s = `# Document ${words(3)}\n\n`;
  for (let i = 0; i < sections; i++) {
    s += `## Section ${i} ${words(2)}\n\n${words(80)}.\n\n${words(70)}.\n\n`;
    if (i % 3 === 0) s += "```ts\n" + Array.from({ length: 8 }, () => `const ${VOCAB[Math.floor(rnd() * 100)]} = "${words(4)}";`).join("\n") + "\n```\n\n";
  }
  return s;
}

// Technical prose for the large corpora: English sentences from templates over a technical
// vocabulary (so stemming, stop words and common words behave as in real documentation), with
// a long tail of rarer identifiers from VOCAB (like the names in real code and docs).
const AREAS = {
  databases: ["index", "query", "planner", "transaction", "isolation", "replica", "vacuum", "partition", "table", "row", "lock", "snapshot", "wal", "checkpoint", "join", "cursor", "schema", "migration"],
  networking: ["socket", "packet", "latency", "bandwidth", "tcp", "handshake", "proxy", "timeout", "retry", "certificate", "tls", "dns", "route", "gateway", "throughput", "connection"],
  consensus: ["leader", "follower", "election", "term", "quorum", "heartbeat", "log", "replication", "commit", "vote", "candidate", "snapshot", "membership", "lease", "raft", "paxos"],
  frontend: ["component", "render", "state", "hook", "props", "layout", "stylesheet", "hydration", "bundle", "router", "suspense", "effect", "event", "accessibility", "animation", "form"],
  security: ["token", "session", "password", "hash", "signature", "permission", "role", "policy", "audit", "encryption", "key", "rotation", "secret", "csrf", "origin", "sandbox"],
  ml: ["embedding", "vector", "model", "training", "inference", "gradient", "batch", "epoch", "tokenizer", "attention", "layer", "loss", "dataset", "quantization", "context", "sampling"],
} as const;
const AREA_NAMES = Object.keys(AREAS) as (keyof typeof AREAS)[];
const VERBS = ["configures", "controls", "limits", "improves", "breaks", "explains", "requires", "replaces", "validates", "caches", "serializes", "schedules", "monitors", "retries", "compacts", "rebuilds"];
const ADJ = ["slow", "stale", "concurrent", "durable", "partial", "default", "expensive", "idle", "large", "nested", "missing", "duplicate", "incremental", "async", "stable", "optional"];
const TEMPLATES = [
  (a: string, b: string, c: string) => `The ${a} ${pick(VERBS)} the ${pick(ADJ)} ${b} when the ${c} changes.`,
  (a: string, b: string, c: string) => `When a ${pick(ADJ)} ${a} is detected, the system ${pick(VERBS)} every ${b} before the ${c}.`,
  (a: string, b: string, c: string) => `Use \`${words(1)}\` to tune how the ${a} ${pick(VERBS)} the ${b}; the default ${c} is ${Math.floor(rnd() * 1000)}.`,
  (a: string, b: string, c: string) => `A ${a} without a ${b} is ${pick(ADJ)}: set the ${c} explicitly and check the ${words(1)} output.`,
  (a: string, b: string, c: string) => `If the ${a} fails, ${words(2)} ${pick(VERBS)} the ${b} and logs the ${pick(ADJ)} ${c}.`,
  (a: string, b: string, c: string) => `Each ${a} keeps its own ${b}, so a ${pick(ADJ)} ${c} never ${pick(VERBS)} another one.`,
];
function syntheticChunk(i: number): { topic: string; content: string } {
  const area = AREAS[AREA_NAMES[i % AREA_NAMES.length]];
  const sentences = Array.from({ length: 5 + Math.floor(rnd() * 6) }, () => pick(TEMPLATES)(pick(area), pick(area), pick(area)));
  return { topic: `${AREA_NAMES[i % AREA_NAMES.length]}: ${pick(area)} ${pick(area)} (${words(1)})`, content: sentences.join(" ") };
}
function syntheticQuery(i: number): string {
  const area = AREAS[AREA_NAMES[i % AREA_NAMES.length]];
  const forms = [
    () => `How does the ${pick(area)} handle a ${pick(ADJ)} ${pick(area)}?`,
    () => `${pick(area)} ${pick(area)} ${pick(VERBS)} ${words(1)}`,
    () => `Why is the ${pick(area)} ${pick(ADJ)} after the ${pick(area)} ${pick(VERBS).replace(/s$/, "")}?`,
    () => `${words(1)} ${pick(area)} default`,
  ];
  return forms[i % forms.length]();
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** A fresh database: in memory (PGlite), or on the PostgreSQL server, migrated by the app's runner. */
async function openBenchDatabase(): Promise<Database> {
  if (DB === "pglite") {
    const db = await openPglite();
    await migrate(db, { local: true });
    return db;
  }
  const server = execFileSync("bash", ["scripts/postgres.sh", "start"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe("drop database if exists elite_bench_knowledge with (force)");
  await admin.unsafe("create database elite_bench_knowledge");
  await admin.end();
  const u = new URL(server);
  u.pathname = "/elite_bench_knowledge";
  const db = openPostgres(u.toString(), { max: 4 });
  await migrate(db, { local: true });
  return db;
}

async function main() {
  const db = await openBenchDatabase();
  useDatabase(db);
  const sim = await startSimulator({ port: 0, seed: 3, timeScale: 0 });
  (globalThis as unknown as { __eliteOllamaPool?: OllamaPool }).__eliteOllamaPool = new OllamaPool({ hosts: [sim.url], timeouts: { firstTokenMs: 5000, totalMs: 60_000 } });
  registerKnowledgeJobs();
  const results: Record<string, unknown> = { database: DB === "pglite" ? "PGlite (embedded)" : "PostgreSQL 15 + pgvector 0.8.1", date: new Date().toISOString(), node: process.version, machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB`, loadAverageAtStart: os.loadavg().map((x) => round(x)) };

  // --- ingestion throughput -------------------------------------------------------------
  const docs = Array.from({ length: 40 }, () => markdownDoc(12));
  let t = performance.now();
  const chunked = [];
  for (const [i, d] of docs.entries()) chunked.push(...chunkText(await extractText({ kind: "markdown", bytes: new TextEncoder().encode(d), filename: `d${i}.md` }), `d${i}.md`));
  const chunkMs = performance.now() - t;
  t = performance.now();
  await embedTexts("nomic-embed-text", "document", chunked.map(chunkEmbeddingText), { batchSize: 32 });
  const embedMs = performance.now() - t;
  const operator: Identity = { userId: LOCAL_OPERATOR_CLAIMS.sub, claims: LOCAL_OPERATOR_CLAIMS, isOperator: true, source: "local" };
  t = performance.now();
  await uploadDocuments(operator, docs.map((d, i) => ({ name: `doc-${i}.md`, bytes: new TextEncoder().encode(d) })));
  await drainJobs({ budgetMs: 10 * 60_000 });
  const jobMs = performance.now() - t;
  const stored = Number((await asSystem((tx) => tx.query<{ n: number }>("select count(*)::int n from knowledge_base"))).rows[0].n);
  results.ingestion = {
    documents: docs.length,
    chunks: chunked.length,
    parseChunkPerSec: round(chunked.length / (chunkMs / 1000)),
    parseChunkEmbedPerSec: round(chunked.length / ((chunkMs + embedMs) / 1000)),
    fullJobPerSec: round(stored / (jobMs / 1000)),
    note: "embedding through the simulator over HTTP (hashed n-grams, no model time); fullJob = upload + job worker + database insert",
  };
  console.log("ingestion", results.ingestion);

  // --- search latency at corpus sizes ---------------------------------------------------
  // The large corpora are bulk-loaded into this benchmark's own database: multi-row INSERTs
  // (arrays unnested, 2,000 rows a statement, 10,000 a transaction) with the HNSW and GIN
  // indexes dropped, then both built once (row-by-row insertion into HNSW is ~20x slower).
  // Embeddings are the simulator's (simEmbed) computed in-process, as the simulator would.
  const search: unknown[] = [];
  let have = stored;
  for (const size of SIZES) {
    await db.exec("drop index if exists knowledge_base_embeddings_idx; drop index if exists knowledge_base_fts_idx");
    const tIns = performance.now();
    let embedMs = 0;
    const before = have;
    while (have < size) {
      await db.transaction(async (tx) => {
        for (let b = 0; b < 5 && have < size; b++) {
          const n = Math.min(2000, size - have);
          const te = performance.now();
          const rows = Array.from({ length: n }, (_, i) => syntheticChunk(have + i));
          // float4 in pgvector: 7 significant digits is all the column keeps.
          const embs = rows.map((r) => `[${simEmbed(chunkEmbeddingText(r)).map((x) => (x === 0 ? "0" : x.toPrecision(7))).join(",")}]`);
          embedMs += performance.now() - te;
          await tx.query(
            `insert into knowledge_base (topic, content, source, confidence, content_hash, embeddings, embedding_model, status)
             select t.topic, t.content, 'document_ingestion', 0.6, t.hash, t.emb::extensions.vector, 'nomic-embed-text', 'active'
             from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as t(topic, content, hash, emb)`,
            [rows.map((r) => r.topic), rows.map((r) => r.content), rows.map((r, i) => chunkHash(`${have + i} ${r.content}`)), embs],
          );
          have += n;
        }
      });
    }
    const insertMs = performance.now() - tIns;
    const tGin = performance.now();
    await db.exec("create index knowledge_base_fts_idx on public.knowledge_base using gin (fts)");
    const ginMs = performance.now() - tGin;
    const tIdx = performance.now();
    // The graph must fit in maintenance_work_mem or the build slows down several times.
    await db.exec(
      "set maintenance_work_mem = '1GB'; create index knowledge_base_embeddings_idx on public.knowledge_base using hnsw (embeddings extensions.vector_cosine_ops); reset maintenance_work_mem",
    );
    const indexMs = performance.now() - tIdx;
    await db.exec("analyze knowledge_base");

    const queries = Array.from({ length: QUERIES }, (_, i) => syntheticQuery(i));
    const embeddings = queries.map((q) => simEmbed(q));
    for (let i = 0; i < 10; i++) await searchKnowledge({ query: queries[i], embedding: embeddings[i], embeddingModel: "nomic-embed-text" }); // warm-up
    const parts: Record<"vectorMs" | "textMs" | "fuseMs" | "fetchMs" | "searchMs", number[]> = { vectorMs: [], textMs: [], fuseMs: [], fetchMs: [], searchMs: [] };
    const total: number[] = [];
    let hitCount = 0;
    for (let i = 0; i < queries.length; i++) {
      const s = performance.now();
      const r = await searchKnowledge({ query: queries[i], embedding: embeddings[i], embeddingModel: "nomic-embed-text" });
      total.push(performance.now() - s);
      hitCount += r.hits.length;
      for (const k of Object.keys(parts) as (keyof typeof parts)[]) parts[k].push(r.timings[k]);
    }
    // With filters (source + topic), which the HNSW scan must keep satisfying (iterative scan).
    const filtered: number[] = [];
    let filteredHits = 0;
    for (let i = 0; i < Math.min(30, queries.length); i++) {
      const r = await searchKnowledge({
        query: queries[i],
        embedding: embeddings[i],
        embeddingModel: "nomic-embed-text",
        filters: { sources: ["document_ingestion"], topic: AREA_NAMES[i % AREA_NAMES.length] },
      });
      filtered.push(r.timings.searchMs);
      filteredHits += r.hits.length;
    }
    // With the query's embedding made through the (simulated) model over HTTP.
    const withEmbed: number[] = [];
    const embedOnly: number[] = [];
    for (let i = 0; i < Math.min(20, queries.length); i++) {
      const s = performance.now();
      const r = await searchKnowledge({ query: queries[i] });
      withEmbed.push(performance.now() - s);
      embedOnly.push(r.timings.embedMs);
    }
    const stat = (xs: number[]) => ({ p50: round(pct(xs, 50)), p95: round(pct(xs, 95)) });
    const row = {
      chunks: have,
      loadAverage: os.loadavg().map((x) => round(x)),
      bulkInsertS: round(insertMs / 1000),
      bulkInsertPerSec: Math.round((have - before) / (insertMs / 1000)),
      bulkInsertEmbedS: round(embedMs / 1000),
      ginBuildS: round(ginMs / 1000),
      hnswBuildS: round(indexMs / 1000),
      // "search" = the database part (vector + full text + fusion + row fetch, in one transaction); no query embedding.
      searchP50Ms: round(pct(parts.searchMs, 50)),
      searchP95Ms: round(pct(parts.searchMs, 95)),
      parts: { vector: stat(parts.vectorMs), text: stat(parts.textMs), fusion: stat(parts.fuseMs), fetch: stat(parts.fetchMs) },
      callP50Ms: round(pct(total, 50)),
      callP95Ms: round(pct(total, 95)),
      avgHits: round(hitCount / queries.length, 1),
      filteredSearchP50Ms: round(pct(filtered, 50)),
      filteredSearchP95Ms: round(pct(filtered, 95)),
      filteredAvgHits: round(filteredHits / filtered.length, 1),
      queryEmbed: stat(embedOnly),
      searchWithEmbedP50Ms: round(pct(withEmbed, 50)),
      searchWithEmbedP95Ms: round(pct(withEmbed, 95)),
      peakRssMb: Math.round(peakRss / 1024 / 1024),
    };
    console.log("search", JSON.stringify(row));
    search.push(row);
  }
  results.search = search;
  results.peakRssMb = Math.round(peakRss / 1024 / 1024);
  const out = path.resolve(import.meta.dirname, DB === "pglite" ? "../results/knowledge.json" : "../results/knowledge-postgres.json");
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  console.log(`written ${out}`);
  await sim.close();
  await db.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
