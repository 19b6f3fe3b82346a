/**
 * `npm run bench:load`: 20 concurrent chat streams plus feedback, for a few minutes, against
 * the built app on each database (BENCH_DB, default "pglite,postgres"). Reports errors, lost
 * interactions (a request whose row is missing), the server's memory (RSS of its process
 * group at start, after warm-up, every ten seconds and at the end, and its slope over the
 * second half: flat memory is no growth once warm), requests per second, and time to first
 * token: as the client saw it and what the app added (client TTFT minus the model's own,
 * which the server records in each attempt).
 * Env: BENCH_LOAD_SECONDS (default 120 per database), BENCH_STREAMS (20), BENCH_TIME_SCALE
 * (0.05), BENCH_APP_PORT (3391), NEXT_DIST_DIR (.next), BENCH_LOAD_OUT (bench/results/load.json).
 * NODE_OPTIONS reaches the server too and is recorded: with a heap limit
 * (--max-old-space-size=200) memory that is only garbage V8 has not yet collected cannot show
 * as growth, so a climb that stays under a limit is no leak (bench/results/load-heap-200mb.json).
 */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Ollama } from "ollama";
import { openPglite } from "../../lib/db/pglite";
import { openPostgres } from "../../lib/db/postgres";
import type { Database } from "../../lib/db/types";
import { seedDatabase, seedPostgresDatabase, startApp, startPostgresServer, startSim, stopPostgresServer } from "../support/app-under-test";
import { linearRegression } from "simple-statistics";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 120);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 20);
const TIME_SCALE = Number(process.env.BENCH_TIME_SCALE ?? 0.05);
const APP_PORT = Number(process.env.BENCH_APP_PORT ?? 3391);
const DIST_DIR = process.env.NEXT_DIST_DIR || ".next";
const DATABASES = (process.env.BENCH_DB ?? "pglite,postgres").split(",").map((d) => d.trim()) as ("pglite" | "postgres")[];

const PROMPTS = [
  "Write a Python function that merges two sorted lists.",
  "Why does my React component re-render twice in development?",
  "Prove that the square root of 2 is irrational.",
  "Design a rate limiter for an API gateway.",
  "Refactor this loop into a list comprehension: for x in xs: if x > 0: out.append(x * 2)",
  "Explain what a closure is in JavaScript.",
  "Segmentation fault when I free a pointer twice — why?",
  "What is the time complexity of building a heap?",
];

/** The live processes of a process group, with their resident memory (kB). */
function group(pgid: number): { pid: string; kb: number }[] {
  const out = [];
  for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid || fields[0] === "Z") continue; // field 5 of stat: the process group
      const m = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/);
      out.push({ pid, kb: m ? Number(m[1]) : 0 });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Least-squares slope (per minute) of samples taken every `seconds`, over their second half. */
function lastHalfSlope(samples: readonly number[], seconds: number): number | null {
  const half = samples.slice(Math.floor(samples.length / 2));
  if (half.length < 3) return null;
  const { m } = linearRegression(half.map((y, i) => [(i * seconds) / 60, y]));
  return Math.round(m * 10) / 10;
}

/** Resident memory (MB) of every process in the server's process group. */
function groupRssMb(pgid: number): number {
  return Math.round(group(pgid).reduce((n, p) => n + p.kb, 0) / 1024);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] * 10) / 10 : null;
};

interface Sent {
  id: string | null;
  ttftMs: number;
  ok: boolean;
}

async function loadOn(kind: "pglite" | "postgres", simUrl: string) {
  const dataDir = path.join(ROOT, `.data/bench-load-${APP_PORT}`);
  let key: string;
  let env: Record<string, string> = {};
  let pgUrl = "";
  if (kind === "pglite") key = await seedDatabase(dataDir);
  else ({ key, env, url: pgUrl } = await seedPostgresDatabase(startPostgresServer(), "elite_bench_load"));
  let app: { url: string; child: ChildProcess } | null = await startApp(dataDir, simUrl, { port: APP_PORT, distDir: DIST_DIR, env });
  const pgid = app.child.pid!;
  const rss = { start: groupRssMb(pgid), warm: 0, end: 0, everyTenSeconds: [] as number[] };
  const sampler = setInterval(() => rss.everyTenSeconds.push(groupRssMb(pgid)), 10_000);
  const client = new Ollama({ host: app.url, headers: { Authorization: `Bearer ${key}` } });
  const sent: Sent[] = [];
  const errors: string[] = [];
  let feedbackSent = 0;
  let feedbackFailed = 0;
  const loadBefore = os.loadavg()[0];
  const t0 = performance.now();
  const until = t0 + SECONDS * 1000;
  let warmed = false;
  async function worker(w: number) {
    for (let i = 0; performance.now() < until; i++) {
      const start = performance.now();
      let id: string | null = null;
      let ttft = 0;
      try {
        const stream = await client.chat({ model: "elite", stream: true, messages: [{ role: "user", content: `${PROMPTS[(w + i) % PROMPTS.length]} (${w}.${i})` }] });
        for await (const chunk of stream) {
          const elite = (chunk as unknown as { elite?: { interaction_id: string } }).elite;
          if (elite && !id) {
            id = elite.interaction_id;
            ttft = performance.now() - start;
          }
        }
        sent.push({ id, ttftMs: ttft, ok: true });
      } catch (e) {
        errors.push(String(e).slice(0, 200));
        sent.push({ id, ttftMs: ttft, ok: false });
      }
      if (id && (w + i) % 3 === 0) {
        feedbackSent++;
        const r = await fetch(`${app!.url}/api/feedback`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ interaction_id: id, rating: 1 + ((w * 7 + i) % 5) }),
        }).catch(() => null);
        if (!r || r.status !== 200) feedbackFailed++;
      }
      if (!warmed && performance.now() - t0 > 20_000) {
        warmed = true;
        rss.warm = groupRssMb(pgid);
      }
    }
  }
  await Promise.all(Array.from({ length: STREAMS }, (_, w) => worker(w)));
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  rss.end = groupRssMb(pgid);
  const loadAfter = os.loadavg()[0];
  process.kill(-pgid, "SIGTERM");
  // The whole group, not just its leader: the server releases the database when it is gone.
  for (let i = 0; i < 200 && group(pgid).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  app = null;

  // Every request has its row, finished; and what the app added to the model's own first token.
  const db: Database = kind === "pglite" ? await openPglite({ dataDir }) : openPostgres(pgUrl, { max: 2 });
  let rows: { id: string; status: string; model_ttft: number | null }[];
  try {
    ({ rows } = await db.query<{ id: string; status: string; model_ttft: number | null }>(
      `select i.id, i.status, (select (a ->> 'ttftMs')::float8 from jsonb_array_elements(i.routing_decision -> 'attempts') a where a ->> 'ok' = 'true' limit 1) as model_ttft
         from interactions i`,
    ));
  } finally {
    await db.close();
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(`${dataDir}.lock`, { force: true });
  const byId = new Map(rows.map((r) => [r.id, r]));
  const withId = sent.filter((s) => s.id);
  const lost = withId.filter((s) => !byId.has(s.id!)).length + sent.filter((s) => !s.id).length;
  const unfinished = rows.filter((r) => r.status === "started").length;
  const added = withId.flatMap((s) => {
    const m = byId.get(s.id!)?.model_ttft;
    return m == null ? [] : [s.ttftMs - m];
  });
  return {
    database: kind,
    seconds: Math.round(seconds),
    streams: STREAMS,
    requests: sent.length,
    requestsPerSecond: Math.round((sent.length / seconds) * 10) / 10,
    errors: errors.length,
    errorSamples: [...new Set(errors)].slice(0, 3),
    rows: rows.length,
    lostInteractions: lost,
    unfinishedRows: unfinished,
    feedback: { sent: feedbackSent, failed: feedbackFailed },
    ttftMs: { p50: pct(withId.map((s) => s.ttftMs), 50), p95: pct(withId.map((s) => s.ttftMs), 95) },
    addedTtftMs: { p50: pct(added, 50), p95: pct(added, 95) },
    rssMb: rss,
    // Flat memory means no growth once warm: MB per minute over the second half of the run
    // (a heap that grows to its working set and stays is flat; a leak keeps its slope).
    rssGrowthLastHalfMbPerMin: lastHalfSlope(rss.everyTenSeconds, 10),
    loadAvg1m: { before: Math.round(loadBefore * 100) / 100, after: Math.round(loadAfter * 100) / 100 },
  };
}

async function main() {
  const sim = await startSim({ timeScale: TIME_SCALE });
  const runs = [];
  try {
    for (const kind of DATABASES) {
      const r = await loadOn(kind, sim.url);
      runs.push(r);
      console.log(
        `${kind}: ${r.requests} requests in ${r.seconds} s (${r.requestsPerSecond}/s, ${r.streams} streams), ${r.errors} errors, ${r.lostInteractions} lost, ${r.unfinishedRows} unfinished; ` +
          `feedback ${r.feedback.sent} (${r.feedback.failed} failed); TTFT p50 ${r.ttftMs.p50} / p95 ${r.ttftMs.p95} ms, added p50 ${r.addedTtftMs.p50} / p95 ${r.addedTtftMs.p95} ms; ` +
          `RSS ${r.rssMb.start} → ${r.rssMb.warm} (warm) → ${r.rssMb.end} MB, ${r.rssGrowthLastHalfMbPerMin} MB/min over the second half; load ${r.loadAvg1m.before} → ${r.loadAvg1m.after}`,
      );
    }
  } finally {
    sim.child.kill("SIGTERM");
    if (DATABASES.includes("postgres")) stopPostgresServer();
  }
  const out = path.resolve(ROOT, process.env.BENCH_LOAD_OUT ?? "bench/results/load.json");
  fs.writeFileSync(
    out,
    JSON.stringify(
      {
        benchmark: "load",
        description: `${STREAMS} concurrent streamed chats (model elite) plus feedback on every third answer, against the built app on each database`,
        date: new Date().toISOString(),
        environment: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model },
        settings: { seconds: SECONDS, streams: STREAMS, timeScale: TIME_SCALE, nodeOptions: process.env.NODE_OPTIONS ?? null },
        runs,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`written to ${path.relative(process.cwd(), out)}`);
  if (runs.some((r) => r.errors || r.lostInteractions || r.unfinishedRows)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
