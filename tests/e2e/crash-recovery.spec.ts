import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { serverCommand } from "../../scripts/server-command";

/**
 * A server of its own, killed with SIGKILL while an answer streams, then started again on the
 * same data: the answer is shown as interrupted with the text checkpointed before the kill,
 * and the dashboard counts it apart.
 */
const SIM = process.env.E2E_SIM_URL ?? "http://127.0.0.1:11531";
const PORT = Number(process.env.E2E_APP_PORT ?? 3100) + 2;
const APP = `http://127.0.0.1:${PORT}`;
const DATA = `.data/e2e-crash-${PORT}`;

function startServer(): ChildProcess {
  return spawn(...serverCommand(PORT), {
    env: { ...process.env, PGLITE_DATA_DIR: DATA, OLLAMA_HOST: SIM },
    stdio: ["ignore", fs.openSync(`${DATA}.log`, "a"), fs.openSync(`${DATA}.log`, "a")],
    detached: true, // its own process group: the kill reaches the whole server
  });
}

async function healthy(): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (await fetch(`${APP}/api/health`).then((r) => r.status < 500, () => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the server did not start");
}

async function gone(server: ChildProcess): Promise<void> {
  if (server.exitCode === null && server.signalCode === null) await new Promise((r) => server.once("exit", r));
  for (let i = 0; i < 100 && (await fetch(`${APP}/api/health`).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
}

let server: ChildProcess | undefined;
test.beforeAll(() => {
  fs.rmSync(DATA, { recursive: true, force: true });
  fs.rmSync(`${DATA}.lock`, { force: true });
  fs.rmSync(`${DATA}.log`, { force: true });
  fs.mkdirSync(".data", { recursive: true });
});
test.afterAll(() => {
  if (server?.pid) {
    try {
      process.kill(-server.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
});
test.afterEach(async ({ request }) => {
  await request.delete(`${SIM}/__sim/faults`);
});

test("a server killed mid-answer: after the restart the answer is interrupted, with the text that had arrived", async ({ page, context, request }, testInfo) => {
  test.setTimeout(240_000);
  server = startServer();
  await healthy();
  // Slow tokens (a second each): the answer streams for minutes, so the kill lands in the middle
  // of it however long a loaded machine takes to show the first checkpoint.
  expect((await request.post(`${SIM}/__sim/faults`, { data: { faults: [{ fault: "slow:1000" }] } })).ok()).toBe(true);

  await page.goto(`${APP}/chat`);
  await page.getByTestId("composer").fill("Explain how a B-tree keeps its nodes balanced, with an example.");
  await page.getByTestId("composer").press("Enter");
  // The first message to a server just started: on a loaded machine, loading the chat's code
  // and opening the database for it can take well over the default 5 s (seen once in five runs
  // under two busy loops); the state is still what is waited on.
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/, { timeout: 60_000 });
  const conversation = page.url();

  // Wait on state: another tab reads the stored answer until a checkpoint holds some of its text.
  const other = await context.newPage();
  let checkpointed = "";
  await expect(async () => {
    await other.goto(conversation);
    const text = other.getByTestId("answer").first().getByTestId("markdown");
    checkpointed = (await text.count()) ? (await text.innerText()).trim() : ""; // no text until the first checkpoint
    expect(checkpointed.length).toBeGreaterThan(0);
  }).toPass({ timeout: 90_000 });
  await expect(page.getByTestId("streaming")).toBeVisible(); // still answering when killed

  process.kill(-server.pid!, "SIGKILL");
  await gone(server);
  server = startServer();
  await healthy();

  await other.goto(conversation);
  const answer = other.getByTestId("answer").first();
  await expect(answer).toHaveAttribute("data-status", "interrupted");
  await expect(answer.getByTestId("interrupted")).toBeVisible();
  await expect(answer.getByTestId("chat-error")).toContainText("server stopped while answering");
  const kept = (await answer.getByTestId("markdown").innerText()).trim();
  expect(kept.startsWith(checkpointed.slice(0, 20))).toBe(true); // the checkpointed text, not lost
  expect(kept.length).toBeGreaterThanOrEqual(checkpointed.length);
  await other.screenshot({ path: testInfo.outputPath("chat-interrupted.png"), fullPage: true });

  await other.goto(`${APP}/dashboard`);
  await expect(other.getByTestId("kpi-interactions")).toContainText("1 interrupted");
  await expect(other.getByTestId("kpi-interactions")).toContainText("0 failed"); // apart from failures
});
