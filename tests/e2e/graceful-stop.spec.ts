import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { Ollama } from "ollama";
import { openPglite } from "../../lib/db/pglite";
import { serverCommand } from "../../scripts/server-command";

/**
 * An answer is learned from after the client has it (its stream ends first), and editors'
 * completions are recorded in batches. A server stopped the moment its last answer arrived
 * still records and learns from every one before it exits: the stop drains what it owes
 * (scripts/serve.mjs → instrumentation-node.ts), then closes the embedded database cleanly.
 */
const SIM = process.env.E2E_SIM_URL ?? "http://127.0.0.1:11531";
const PORT = Number(process.env.E2E_APP_PORT ?? 3100) + 3;
const APP = `http://127.0.0.1:${PORT}`;
const DATA = `.data/e2e-stop-${PORT}`;
const ANSWERS = 12;
const COMPLETIONS = 3;

let server: ChildProcess | undefined;
test.afterAll(() => {
  if (server?.pid && server.exitCode === null) {
    try {
      process.kill(-server.pid, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
});

test("a server stopped right after its answers still learns from every one, then exits", async () => {
  test.setTimeout(180_000);
  fs.rmSync(DATA, { recursive: true, force: true });
  fs.rmSync(`${DATA}.lock`, { force: true });
  fs.mkdirSync(".data", { recursive: true });
  // A key made as a user makes one from a terminal, before the server opens the data.
  const made = execFileSync("npm", ["run", "-s", "key", "--", "create", "graceful stop"], { env: { ...process.env, PGLITE_DATA_DIR: DATA }, encoding: "utf8" });
  const key = made.match(/\beca_[A-Za-z0-9_-]{20,}/)![0];

  server = spawn(...serverCommand(PORT), {
    env: { ...process.env, PGLITE_DATA_DIR: DATA, OLLAMA_HOST: SIM, RATE_LIMIT_CHAT_PER_MINUTE: "0" },
    stdio: ["ignore", fs.openSync(`${DATA}.log`, "a"), fs.openSync(`${DATA}.log`, "a")],
    detached: true,
  });
  await expect.poll(() => fetch(`${APP}/api/health`).then((r) => r.status < 500, () => false), { timeout: 120_000 }).toBe(true);

  const client = new Ollama({ host: APP, headers: { Authorization: `Bearer ${key}` } });
  const answers = await Promise.all(
    Array.from({ length: ANSWERS }, (_, i) => client.chat({ model: "deepseek-coder:6.7b", stream: false, messages: [{ role: "user", content: `Write a function that returns ${i} cubed.` }] })),
  );
  expect(answers.every((a) => a.done && a.message.content.length > 0)).toBe(true);
  // Editors' completions, recorded in batches a quarter of a second after the first: the stop
  // comes before their batch is due.
  for (let i = 0; i < COMPLETIONS; i++) {
    const c = await client.generate({ model: "deepseek-coder:6.7b", prompt: `def cube_${i}(x):\n    `, suffix: "\n", stream: false });
    expect(c.done).toBe(true);
  }
  const exited = new Promise<number | null>((r) => server!.once("exit", (code) => r(code)));
  process.kill(-server.pid!, "SIGTERM");
  expect(await exited).toBe(0);

  // The data directory is free again (the server closed it), and holds every answer and what each taught.
  const db = await openPglite({ dataDir: DATA });
  try {
    const { rows } = await db.query<{ completed: number; outcomes: number; completions: number }>(
      `select (select count(*)::int from interactions where status = 'completed') as completed,
              (select coalesce(sum((performance_data ->> 'outcomes')::float8), 0)::float8 from model_performance
                where model_name = 'deepseek-coder:6.7b' and task_type <> 'completion') as outcomes,
              (select count(*)::int from completions) as completions`,
    );
    expect(rows[0]).toEqual({ completed: ANSWERS, outcomes: ANSWERS, completions: COMPLETIONS });
  } finally {
    await db.close();
  }
});
