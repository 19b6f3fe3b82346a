/**
 * Knowledge benchmark: ingestion throughput (chunks/s: parse + chunk only, + the simulator's
 * embeddings, and the whole job into the database) and hybrid search latency p50/p95 at a
 * few corpus sizes in the embedded database, with peak memory (RSS).
 *
 *   npm run bench:knowledge                       # sizes 1000,10000
 *   npm run bench:knowledge -- --sizes 1000,10000,100000
 *
 * Writes bench/results/knowledge.json.
 */
import fs from "node:fs";
import path from "node:path";
import { openPglite } from "../../lib/db/pglite";
import { migrate } from "../../lib/db/migrate";
import { asSystem, useDatabase } from "../../lib/db";
import { OllamaPool } from "../../lib/ollama";
import { startSimulator, simEmbed } from "../../tests/support/ollama-sim";
import { chunkText } from "../../lib/knowledge/chunk";
import { extractText } from "../../lib/knowledge/parse";
import { embedTexts } from "../../lib/knowledge/embed";
import { embeddingInput, chunkHash } from "../../lib/knowledge/ingest";
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
const SIZES = arg("sizes", "1000,10000").split(",").map(Number);
const QUERIES = Number(arg("queries", "60"));

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
sampler.unref();

// A deterministic vocabulary so documents share some words (like real ones) but differ.
const VOCAB = Array.from({ length: 4000 }, (_, i) => `w${(i * 2654435761) % 1000003}`.slice(0, 7) + String.fromCharCode(97 + (i % 26)));
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const words = (n: number) => Array.from({ length: n }, () => VOCAB[Math.floor(rnd() ** 2 * VOCAB.length)]).join(" ");
function markdownDoc(sections: number): string {
  let s = `# Document ${words(3)}\n\n`;
  for (let i = 0; i < sections; i++) {
    s += `## Section ${i} ${words(2)}\n\n${words(80)}.\n\n${words(70)}.\n\n`;
    if (i % 3 === 0) s += "```ts\n" + Array.from({ length: 8 }, () => `const ${VOCAB[Math.floor(rnd() * 100)]} = "${words(4)}";`).join("\n") + "\n```\n\n";
  }
  return s;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

async function main() {
  const db = await openPglite();
  await migrate(db, { local: true });
  useDatabase(db);
  const sim = await startSimulator({ port: 0, seed: 3, timeScale: 0 });
  (globalThis as unknown as { __eliteOllamaPool?: OllamaPool }).__eliteOllamaPool = new OllamaPool({ hosts: [sim.url], timeouts: { firstTokenMs: 5000, totalMs: 60_000 } });
  registerKnowledgeJobs();
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, machine: `${(await import("node:os")).cpus().length} cores` };

  // --- ingestion throughput -------------------------------------------------------------
  const docs = Array.from({ length: 40 }, () => markdownDoc(12));
  let t = performance.now();
  const chunked = [];
  for (const [i, d] of docs.entries()) chunked.push(...chunkText(await extractText({ kind: "markdown", bytes: new TextEncoder().encode(d), filename: `d${i}.md` }), `d${i}.md`));
  const chunkMs = performance.now() - t;
  t = performance.now();
  await embedTexts("nomic-embed-text", chunked.map(embeddingInput), { batchSize: 32 });
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
  const search: unknown[] = [];
  let have = stored;
  for (const size of SIZES) {
    // Bulk insert the missing synthetic chunks (vectors computed in-process), then rebuild HNSW.
    await db.exec("drop index if exists knowledge_base_embeddings_idx");
    const tIns = performance.now();
    while (have < size) {
      const n = Math.min(1000, size - have);
      const rows = Array.from({ length: n }, (_, i) => {
        const content = `${words(60)}. ${words(40)}.`;
        return { topic: `Synthetic ${have + i} ${words(2)}`, content };
      });
      await db.query(
        `insert into knowledge_base (topic, content, source, content_hash, embeddings, embedding_model, status)
         select t.topic, t.content, 'document_ingestion', t.hash, t.emb::extensions.vector, 'nomic-embed-text', 'active'
         from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as t(topic, content, hash, emb)`,
        [rows.map((r) => r.topic), rows.map((r) => r.content), rows.map((r) => chunkHash(r.content + Math.random())), rows.map((r) => `[${simEmbed(embeddingInput(r)).join(",")}]`)],
      );
      have += n;
    }
    const insertMs = performance.now() - tIns;
    const tIdx = performance.now();
    await db.exec("create index knowledge_base_embeddings_idx on public.knowledge_base using hnsw (embeddings extensions.vector_cosine_ops)");
    const indexMs = performance.now() - tIdx;
    await db.exec("analyze knowledge_base");

    const queries = Array.from({ length: QUERIES }, () => words(8));
    const embeddings = queries.map((q) => simEmbed(q));
    for (let i = 0; i < 5; i++) await searchKnowledge({ query: queries[i], embedding: embeddings[i], embeddingModel: "nomic-embed-text" }); // warm-up
    const dbOnly: number[] = [];
    for (let i = 0; i < queries.length; i++) {
      const s = performance.now();
      await searchKnowledge({ query: queries[i], embedding: embeddings[i], embeddingModel: "nomic-embed-text" });
      dbOnly.push(performance.now() - s);
    }
    const withEmbed: number[] = [];
    for (let i = 0; i < Math.min(20, queries.length); i++) {
      const s = performance.now();
      await searchKnowledge({ query: queries[i] });
      withEmbed.push(performance.now() - s);
    }
    const row = {
      chunks: have,
      bulkInsertS: round(insertMs / 1000),
      hnswBuildS: round(indexMs / 1000),
      searchP50Ms: round(pct(dbOnly, 50)),
      searchP95Ms: round(pct(dbOnly, 95)),
      searchWithEmbedP50Ms: round(pct(withEmbed, 50)),
      searchWithEmbedP95Ms: round(pct(withEmbed, 95)),
      peakRssMb: Math.round(peakRss / 1024 / 1024),
    };
    console.log("search", row);
    search.push(row);
  }
  results.search = search;
  results.peakRssMb = Math.round(peakRss / 1024 / 1024);
  const out = path.resolve(import.meta.dirname, "../results/knowledge.json");
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  console.log(`written ${out}`);
  await sim.close();
  await db.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
