/**
 * `npm run bench:api`: what the compatible endpoints add over calling Ollama (the simulator)
 * directly. Time to first token and total time of a streamed chat, p50 and p99, at 1 and 20
 * concurrent streams, for: the official `ollama` client straight to the simulator; the same
 * client through the app's `/api/chat`; the `openai` client through `/v1/chat/completions`;
 * and `elite` (routed) through `/api/chat`; and fill-in-the-middle (`/api/generate` with a
 * suffix, named and routed) against the same call straight to the simulator, at 1 stream;
 * and an editor's follow-up (the conversation sent back with the app's last answer in it, which
 * the app looks up to continue that conversation) against the same messages sent directly.
 * The chat path includes everything a request costs:
 * key lookup, classification (features, embedding, neighbours), planning, recording the
 * interaction before and after in PGlite, the learning update.
 *
 * The app's Ollama pool runs at most 2 streams per model (as a real Ollama would); the
 * simulator has no such limit, so at 20 streams a "direct, 2 per model" baseline is measured
 * too: the endpoint's own cost is app minus that baseline.
 *
 * The floor is measured beside them: a bare Node proxy in a process of its own
 * (bench/api/bare-proxy.mjs: parse the body, 2 streams per model, relay each line), which
 * authenticates, routes, records and learns nothing. What it adds over direct is what any
 * proxy adds on this machine (the extra hop, on cores the simulator and the client share);
 * what the app adds over it is the app's own work.
 *
 * Needs a built app: `npm run build` (or `NEXT_DIST_DIR=.next-x npx next build` and the same
 * NEXT_DIST_DIR here). Starts its own simulator and the app's server (scripts/serve.mjs, as
 * `npm start` runs it) on a fresh embedded database, with an API key written there before the
 * server opens it. Editors' completions are timed in a block of their own, after the chats
 * (an editor's autocomplete comes at keystroke rate, not between chats: timed among chats, a
 * chat's learning after its answer would be counted against the completion that follows it).
 * Runs on each database in turn (BENCH_DB, default "pglite,postgres"): the embedded PGlite,
 * and the PostgreSQL 15 + pgvector server of scripts/postgres.sh in Supabase mode.
 * Env: BENCH_ITER_C1 (default 100), BENCH_ITER_FIM (300), BENCH_ROUNDS_C20 (default 10), BENCH_TIME_SCALE (0.01),
 * BENCH_APP_PORT (3390), NEXT_DIST_DIR (.next). Results: printed and bench/results/api-overhead.json.
 */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { seedDatabase, seedPostgresDatabase, startApp, startBareProxy, startPostgresServer, startSim, stopApp, stopPostgresServer } from "../support/app-under-test";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ITER_C1 = Number(process.env.BENCH_ITER_C1 ?? 100);
const ITER_FIM = Number(process.env.BENCH_ITER_FIM ?? 300);
const ROUNDS_C20 = Number(process.env.BENCH_ROUNDS_C20 ?? 10);
const CONCURRENCY = 20;
const TIME_SCALE = Number(process.env.BENCH_TIME_SCALE ?? 0.01);
const APP_PORT = Number(process.env.BENCH_APP_PORT ?? 3390);
const DIST_DIR = process.env.NEXT_DIST_DIR || ".next";
const MODEL = "openhermes";
const PROMPT = "Explain what a closure is in JavaScript";

interface Sample {
  ttftMs: number;
  totalMs: number;
  chunks: number;
}
type Side = "direct" | "direct2" | "proxy" | "ollamaApi" | "openaiApi" | "eliteApi" | "fimDirect" | "fimApi" | "fimElite" | "followUpDirect" | "followUpApi";

/** Fill-in-the-middle as Continue sends it (a prefix and a suffix), to a model that can insert. */
const FIM_MODEL = "deepseek-coder:6.7b";
const FIM_PREFIX = "def fibonacci(n):\n    if n < 2:\n        return n\n    ";
const FIM_SUFFIX = "\n\nprint(fibonacci(10))\n";

async function timeFim(client: Ollama, model: string): Promise<Sample> {
  const t0 = performance.now();
  let ttft = 0;
  let chunks = 0;
  for await (const c of await client.generate({ model, prompt: FIM_PREFIX, suffix: FIM_SUFFIX, stream: true, options: { num_predict: 64 } })) {
    if (!chunks++) ttft = performance.now() - t0;
    if (c.done) break;
  }
  return { ttftMs: ttft, totalMs: performance.now() - t0, chunks };
}

async function timeOllama(client: Ollama, model: string, t0 = performance.now(), messages: Message[] = [{ role: "user", content: PROMPT }]): Promise<Sample> {
  let ttft = 0;
  let chunks = 0;
  for await (const c of await client.chat({ model, stream: true, messages })) {
    if (!chunks++) ttft = performance.now() - t0;
    if (c.done) break;
  }
  return { ttftMs: ttft, totalMs: performance.now() - t0, chunks };
}

async function timeOpenAI(client: OpenAI): Promise<Sample> {
  const t0 = performance.now();
  let ttft = 0;
  let chunks = 0;
  const stream = await client.chat.completions.create({ model: MODEL, stream: true, messages: [{ role: "user", content: PROMPT }] });
  for await (const c of stream) {
    if (!c.choices[0]?.delta.content) continue;
    if (!chunks++) ttft = performance.now() - t0;
  }
  return { ttftMs: ttft, totalMs: performance.now() - t0, chunks };
}

type Message = { role: "user" | "assistant"; content: string };

/**
 * An editor's follow-up: the conversation sent back with the app's own earlier answer in it,
 * and a new question each time (the app looks up the answer it continues and reads the
 * question as a verdict on it; the same question again would be a regenerate).
 */
let followUps = 0;
const followUp = (earlier: string): Message[] => [
  { role: "user", content: PROMPT },
  { role: "assistant", content: earlier },
  { role: "user", content: `And how would a closure keep a counter private? (${++followUps})` },
];

/** At most `n` at once, like the app's pool per model. */
function limited(n: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

async function measure(concurrency: number, rounds: number, run: Record<Side, () => Promise<Sample>>, sides: Side[]) {
  const samples = Object.fromEntries(sides.map((s) => [s, [] as Sample[]])) as Record<Side, Sample[]>;
  for (let i = 0; i < rounds; i++) {
    // Rotate the order so no side always runs on a warmer process.
    const order = sides.map((_, k) => sides[(k + i) % sides.length]);
    for (const side of order) samples[side].push(...(await Promise.all(Array.from({ length: concurrency }, run[side]))));
  }
  const stat = (side: Side) => {
    const s = samples[side];
    return {
      ttft: { p50: round(percentile(s.map((x) => x.ttftMs), 50)), p99: round(percentile(s.map((x) => x.ttftMs), 99)) },
      total: { p50: round(percentile(s.map((x) => x.totalMs), 50)), p99: round(percentile(s.map((x) => x.totalMs), 99)) },
      meanChunks: round(s.reduce((n, x) => n + x.chunks, 0) / s.length, 1),
    };
  };
  return { concurrency, samplesPerSide: samples[sides[0]].length, sides: Object.fromEntries(sides.map((s) => [s, stat(s)])) as Record<Side, ReturnType<typeof stat>> };
}

type DbKind = "pglite" | "postgres";
const DATABASES = (process.env.BENCH_DB ?? "pglite,postgres").split(",").map((d) => d.trim()) as DbKind[];

const label: Record<Side, string> = {
  direct: "direct (ollama client → sim)",
  direct2: "direct, 2 per model",
  proxy: "bare Node proxy (the floor)",
  ollamaApi: `/api/chat ${MODEL}`,
  openaiApi: `/v1/chat/completions ${MODEL}`,
  eliteApi: "/api/chat elite (routed)",
  fimDirect: `FIM direct ${FIM_MODEL}`,
  fimApi: `FIM /api/generate ${FIM_MODEL}`,
  fimElite: "FIM /api/generate elite",
  followUpDirect: `follow-up direct ${MODEL}`,
  followUpApi: `follow-up /api/chat ${MODEL}`,
};

/** The app on one database: its own server process, the same simulator. */
async function benchOn(kind: DbKind, simUrl: string, proxyUrl: string) {
  const dataDir = path.join(ROOT, `.data/bench-api-${APP_PORT}`);
  let app: { url: string; child: ChildProcess } | null = null;
  try {
    let key: string;
    let env: Record<string, string> = {};
    if (kind === "pglite") key = await seedDatabase(dataDir);
    else ({ key, env } = await seedPostgresDatabase(startPostgresServer(), "elite_bench_api"));
    app = await startApp(dataDir, simUrl, { port: APP_PORT, distDir: DIST_DIR, env });
    const direct = new Ollama({ host: simUrl });
    const viaApp = new Ollama({ host: app.url, headers: { Authorization: `Bearer ${key}` } });
    const openai = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: key, maxRetries: 0 });
    const viaProxy = new Ollama({ host: proxyUrl });
    // The app's answer an editor's follow-up sends back.
    const earlier = (await viaApp.chat({ model: MODEL, stream: false, messages: [{ role: "user", content: PROMPT }] })).message.content;
    const two = limited(2);
    const run: Record<Side, () => Promise<Sample>> = {
      direct: () => timeOllama(direct, MODEL),
      direct2: () => {
        const t0 = performance.now(); // the wait for a slot counts, as it does in the app's pool
        return two(() => timeOllama(direct, MODEL, t0));
      },
      proxy: () => timeOllama(viaProxy, MODEL),
      ollamaApi: () => timeOllama(viaApp, MODEL),
      openaiApi: () => timeOpenAI(openai),
      eliteApi: () => timeOllama(viaApp, "elite"),
      fimDirect: () => timeFim(direct, FIM_MODEL),
      fimApi: () => timeFim(viaApp, FIM_MODEL),
      fimElite: () => timeFim(viaApp, "elite"),
      followUpDirect: () => timeOllama(direct, MODEL, undefined, followUp(earlier)),
      followUpApi: () => timeOllama(viaApp, MODEL, undefined, followUp(earlier)),
    };
    const c1Sides: Side[] = ["direct", "proxy", "ollamaApi", "openaiApi", "eliteApi"];
    const fimSides: Side[] = ["fimDirect", "fimApi", "fimElite"];
    const c20Sides: Side[] = ["direct", "direct2", "proxy", "ollamaApi", "openaiApi", "eliteApi"];
    const followUpSides: Side[] = ["followUpDirect", "followUpApi"];
    const loadBefore = os.loadavg()[0];
    const started = performance.now();
    await measure(1, 10, run, [...c1Sides, ...fimSides, ...followUpSides]); // warm-up: JIT, route compilation, caches, connections
    await measure(CONCURRENCY, 2, run, c20Sides);
    const results = [await measure(1, ITER_C1, run, c1Sides), await measure(CONCURRENCY, ROUNDS_C20, run, c20Sides)];
    await new Promise((r) => setTimeout(r, 2000)); // the chats' learning settles
    const fimResult = await measure(1, ITER_FIM, run, fimSides);
    const followUpResult = await measure(1, ITER_C1, run, followUpSides);
    const seconds = round((performance.now() - started) / 1000, 1);
    const loadAfter = os.loadavg()[0];

    console.log(`\n${kind}: compatible endpoints vs the simulator direct, time scale ${TIME_SCALE} (${seconds} s, load ${round(loadBefore)} → ${round(loadAfter)})\n`);
    console.log("conc  path                              ttft p50  ttft p99  total p50  total p99  chunks");
    for (const r of [...results, fimResult, followUpResult]) {
      for (const [side, v] of Object.entries(r.sides) as [Side, (typeof r.sides)[Side]][]) {
        console.log(
          `${String(r.concurrency).padStart(4)}  ${label[side].padEnd(32)}  ${v.ttft.p50.toFixed(1).padStart(8)}  ${v.ttft.p99.toFixed(1).padStart(8)}  ${v.total.p50.toFixed(1).padStart(9)}  ${v.total.p99.toFixed(1).padStart(9)}  ${v.meanChunks.toFixed(1).padStart(6)}`,
        );
      }
    }
    return { database: kind, durationSeconds: seconds, loadAvg1mBefore: round(loadBefore), loadAvg1mAfter: round(loadAfter), results, fillInMiddle: fimResult, followUp: followUpResult };
  } finally {
    await stopApp(app, dataDir);
  }
}

/**
 * Added time to first token of /api/chat over the direct baseline (2 per model at c=20); what
 * the bare proxy adds over it (the floor); and what the app adds over the bare proxy.
 */
function added(r: Awaited<ReturnType<typeof measure>>) {
  const d = r.concurrency > 1 ? r.sides.direct2 : r.sides.direct;
  const a = r.sides.ollamaApi;
  const f = r.sides.proxy;
  return {
    concurrency: r.concurrency,
    ttftP50: round(a.ttft.p50 - d.ttft.p50, 1),
    ttftP99: round(a.ttft.p99 - d.ttft.p99, 1),
    totalP50: round(a.total.p50 - d.total.p50, 1),
    totalP99: round(a.total.p99 - d.total.p99, 1),
    floor: { ttftP50: round(f.ttft.p50 - d.ttft.p50, 1), ttftP99: round(f.ttft.p99 - d.ttft.p99, 1) },
    overFloor: { ttftP50: round(a.ttft.p50 - f.ttft.p50, 1), ttftP99: round(a.ttft.p99 - f.ttft.p99, 1) },
  };
}

/** Added time to first token of fill-in-the-middle (named model, and routed) over calling the simulator directly, at c=1. */
function addedFim(r: Awaited<ReturnType<typeof measure>>) {
  const d = r.sides.fimDirect;
  const diff = (a: typeof d) => ({ ttftP50: round(a.ttft.p50 - d.ttft.p50, 2), ttftP99: round(a.ttft.p99 - d.ttft.p99, 2) });
  return { named: diff(r.sides.fimApi), routed: diff(r.sides.fimElite) };
}

async function main() {
  const sim = await startSim({ timeScale: TIME_SCALE, loaded: MODEL });
  const proxy = await startBareProxy(sim.url);
  const runs = [];
  try {
    for (const kind of DATABASES) runs.push(await benchOn(kind, sim.url, proxy.url));
  } finally {
    proxy.child.kill("SIGTERM");
    sim.child.kill("SIGTERM");
    if (DATABASES.includes("postgres")) stopPostgresServer();
  }
  console.log("\nAdded by /api/chat over calling the simulator directly (ms; at c=20 over direct with 2 per model, as the app's pool):");
  console.log("database   conc  ttft p50  ttft p99  total p50  total p99");
  const summary = runs.flatMap((run) => run.results.map((r) => ({ database: run.database, ...added(r) })));
  for (const a of summary) {
    console.log(`${a.database.padEnd(9)}  ${String(a.concurrency).padStart(4)}  ${a.ttftP50.toFixed(1).padStart(8)}  ${a.ttftP99.toFixed(1).padStart(8)}  ${a.totalP50.toFixed(1).padStart(9)}  ${a.totalP99.toFixed(1).padStart(9)}`);
  }
  console.log(`(${runs[0].results[0].samplesPerSide} streams per path at c=1, ${runs[0].results[1].samplesPerSide} at c=${CONCURRENCY})`);
  console.log("\nThe floor: a bare Node proxy (bench/api/bare-proxy.mjs) over the same baseline, and the app over that proxy (time to first token, ms):");
  console.log("database   conc  proxy p50  proxy p99  app over proxy p50  app over proxy p99");
  for (const a of summary) {
    console.log(`${a.database.padEnd(9)}  ${String(a.concurrency).padStart(4)}  ${a.floor.ttftP50.toFixed(1).padStart(9)}  ${a.floor.ttftP99.toFixed(1).padStart(9)}  ${a.overFloor.ttftP50.toFixed(1).padStart(18)}  ${a.overFloor.ttftP99.toFixed(1).padStart(18)}`);
  }
  const fim = runs.map((run) => ({ database: run.database, samplesPerSide: run.fillInMiddle.samplesPerSide, ...addedFim(run.fillInMiddle) }));
  console.log("\nAdded by fill-in-the-middle (/api/generate with a suffix) over the simulator directly, c=1, ms (target ≤ 2 p50):");
  for (const f of fim) console.log(`${f.database.padEnd(9)}  named model p50 ${f.named.ttftP50} / p99 ${f.named.ttftP99}   elite (routed) p50 ${f.routed.ttftP50} / p99 ${f.routed.ttftP99}`);

  const followUpAdded = runs.map((run) => {
    const { followUpDirect: d, followUpApi: a } = run.followUp.sides;
    return { database: run.database, samplesPerSide: run.followUp.samplesPerSide, ttftP50: round(a.ttft.p50 - d.ttft.p50, 2), ttftP99: round(a.ttft.p99 - d.ttft.p99, 2) };
  });
  console.log("\nAdded by an editor's follow-up (the conversation sent back with the app's last answer, looked up while the model starts) over the same messages sent directly, c=1, ms:");
  for (const f of followUpAdded) console.log(`${f.database.padEnd(9)}  p50 ${f.ttftP50} / p99 ${f.ttftP99}`);

  const out = path.join(ROOT, "bench/results/api-overhead.json");
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    JSON.stringify(
      {
        benchmark: "api-overhead",
        description:
          "Streamed chat through the app's Ollama- and OpenAI-compatible endpoints vs the ollama client straight to the simulator, on each database, with a bare Node proxy beside them (the floor: what any proxy in its own process adds here); milliseconds",
        date: new Date().toISOString(),
        environment: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, platform: `${os.platform()} ${os.release()}` },
        settings: { timeScale: TIME_SCALE, model: MODEL, prompt: PROMPT, iterationsC1: ITER_C1, iterationsFillInMiddle: ITER_FIM, roundsC20: ROUNDS_C20, concurrency: CONCURRENCY, appPoolPerModelConcurrency: 2 },
        added: summary,
        addedFillInMiddle: fim,
        addedFollowUp: followUpAdded,
        runs,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`written to ${path.relative(process.cwd(), out)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
