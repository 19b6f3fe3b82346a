/**
 * `npm run bench:ollama`: what the pool adds over calling Ollama directly with the official
 * client. Time to first token and total time of a streamed chat, p50 and p99, at 1 and at 20
 * concurrent streams, direct and through OllamaPool, interleaved so drift hits both alike.
 *
 * The simulator runs in a child process (its own core, so the server's work does not count
 * against the client side), with a small non-zero time scale: answers take a few
 * milliseconds, so the difference is the pool's own cost (host choice, slot, timers, NDJSON
 * line check, a client per request) rather than model time.
 *
 * Env: BENCH_ITER_C1 (default 400), BENCH_ROUNDS_C20 (default 50), BENCH_TIME_SCALE (0.01).
 * Results: printed, and written to bench/results/ollama-overhead.json.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Ollama } from "ollama";
import { OllamaPool } from "../../lib/ollama/pool";

const ITER_C1 = Number(process.env.BENCH_ITER_C1 ?? 400);
const ROUNDS_C20 = Number(process.env.BENCH_ROUNDS_C20 ?? 50);
const CONCURRENCY = 20;
const TIME_SCALE = Number(process.env.BENCH_TIME_SCALE ?? 0.01);
const MODEL = "openhermes";
const MESSAGES = [{ role: "user" as const, content: "Explain what a closure is in JavaScript" }];
const OPTIONS = { seed: 1, temperature: 0 };

interface Sample {
  ttftMs: number;
  totalMs: number;
  chunks: number;
}

async function startSimProcess(): Promise<{ url: string; stop: () => void }> {
  const root = path.resolve(import.meta.dirname, "../..");
  const child = spawn(process.execPath, ["--import", "tsx", "sim/cli.ts", "--port", "0", "--time-scale", String(TIME_SCALE), "--loaded", MODEL], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = out.match(/listening on (http:\/\/[^\s)]+)/);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { url, stop: () => child.kill("SIGTERM") };
}

async function direct(client: Ollama): Promise<Sample> {
  const t0 = performance.now();
  let ttft = 0;
  let chunks = 0;
  const stream = await client.chat({ model: MODEL, messages: MESSAGES, options: OPTIONS, stream: true });
  for await (const c of stream) {
    if (!chunks++) ttft = performance.now() - t0;
    if (c.done) break;
  }
  return { ttftMs: ttft, totalMs: performance.now() - t0, chunks };
}

async function pooled(pool: OllamaPool): Promise<Sample> {
  const t0 = performance.now();
  let ttft = 0;
  let chunks = 0;
  for await (const c of pool.chatStream({ model: MODEL, messages: MESSAGES, options: OPTIONS })) {
    if (!chunks++) ttft = performance.now() - t0;
    if (c.type === "done") break;
  }
  return { ttftMs: ttft, totalMs: performance.now() - t0, chunks };
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

async function measure(concurrency: number, rounds: number, client: Ollama, pool: OllamaPool) {
  const d: Sample[] = [];
  const p: Sample[] = [];
  const batch = (fn: () => Promise<Sample>) => Promise.all(Array.from({ length: concurrency }, fn));
  for (let i = 0; i < rounds; i++) {
    // Alternate which side goes first so neither always runs on a warmer process.
    if (i % 2 === 0) {
      d.push(...(await batch(() => direct(client))));
      p.push(...(await batch(() => pooled(pool))));
    } else {
      p.push(...(await batch(() => pooled(pool))));
      d.push(...(await batch(() => direct(client))));
    }
  }
  const row = (metric: "ttftMs" | "totalMs", q: number) => {
    const a = percentile(d.map((s) => s[metric]), q);
    const b = percentile(p.map((s) => s[metric]), q);
    return { direct: round(a), pool: round(b), ratio: round(b / a, 3), diffMs: round(b - a) };
  };
  if (d.some((s) => s.chunks !== d[0].chunks) || p.some((s) => s.chunks !== d[0].chunks))
    throw new Error("direct and pooled answers differ in length; the comparison would be unfair");
  return {
    concurrency,
    samples: d.length,
    chunksPerAnswer: d[0].chunks,
    ttft: { p50: row("ttftMs", 50), p99: row("ttftMs", 99) },
    total: { p50: row("totalMs", 50), p99: row("totalMs", 99) },
  };
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

async function main() {
  const sim = await startSimProcess();
  try {
    const client = new Ollama({ host: sim.url });
    // Concurrency limit above the load: this measures overhead, not queueing.
    const pool = new OllamaPool({ hosts: [sim.url], limits: { perModelConcurrency: 64 } });
    const loadBefore = os.loadavg()[0];
    const started = performance.now();
    await measure(1, 20, client, pool); // warm-up: JIT, connections, caches
    await measure(CONCURRENCY, 10, client, pool);
    const results = [await measure(1, ITER_C1, client, pool), await measure(CONCURRENCY, ROUNDS_C20, client, pool)];
    const seconds = round((performance.now() - started) / 1000, 1);

    console.log(
      `\nOllamaPool overhead vs the official client, simulator at time scale ${TIME_SCALE} (${seconds} s, load ${round(loadBefore)} → ${round(os.loadavg()[0])})\n`,
    );
    console.log("conc  metric  pct  direct ms  pool ms  ratio  diff ms");
    for (const r of results)
      for (const metric of ["ttft", "total"] as const)
        for (const pct of ["p50", "p99"] as const) {
          const v = r[metric][pct];
          console.log(
            `${String(r.concurrency).padStart(4)}  ${metric.padEnd(6)}  ${pct}  ${v.direct.toFixed(2).padStart(9)}  ${v.pool.toFixed(2).padStart(7)}  ${v.ratio
              .toFixed(2)
              .padStart(5)}  ${(v.diffMs >= 0 ? "+" : "") + v.diffMs.toFixed(2)}`,
          );
        }
    console.log(`\n(${results[0].samples} streams per side at c=1, ${results[1].samples} at c=${CONCURRENCY}; ${results[0].chunksPerAnswer} chunks per answer)`);

    const out = path.resolve(import.meta.dirname, "../results/ollama-overhead.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(
      out,
      JSON.stringify(
        {
          benchmark: "ollama-overhead",
          description: "OllamaPool.chatStream vs ollama client chat(stream) against the simulator; milliseconds",
          date: new Date().toISOString(),
          environment: {
            node: process.version,
            cpus: os.cpus().length,
            cpuModel: os.cpus()[0]?.model,
            platform: `${os.platform()} ${os.release()}`,
            // Other work on the machine shows up in the p99s; the 1-minute load says how much there was.
            loadAvg1mBefore: round(loadBefore),
            loadAvg1mAfter: round(os.loadavg()[0]),
          },
          settings: { timeScale: TIME_SCALE, model: MODEL, iterationsC1: ITER_C1, roundsC20: ROUNDS_C20, concurrency: CONCURRENCY },
          durationSeconds: seconds,
          results,
        },
        null,
        2,
      ) + "\n",
    );
    console.log(`written to ${path.relative(process.cwd(), out)}`);
  } finally {
    sim.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
