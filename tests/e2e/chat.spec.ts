import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { serverCommand } from "../../scripts/server-command";

const SIM = process.env.E2E_SIM_URL ?? "http://127.0.0.1:11531";

async function send(page: Page, text: string) {
  await page.getByTestId("composer").fill(text);
  await page.getByTestId("composer").press("Enter");
}

test.afterEach(async ({ request }) => {
  await request.delete(`${SIM}/__sim/faults`);
});

test("send a message, watch it stream, see why this model, rate it and find the rating after a reload", async ({ page, request }, testInfo) => {
  // Slow every token down a little so the stream can be watched whatever the machine's speed.
  expect((await request.post(`${SIM}/__sim/faults`, { data: { faults: [{ fault: "slow:150" }] } })).ok()).toBe(true);
  await page.goto("/chat");
  await expect(page.getByTestId("send")).toBeDisabled(); // an empty prompt cannot be sent
  await send(page, "Write a Python function that checks whether a string is a palindrome.");

  const answer = page.getByTestId("answer").first();
  await expect(answer.getByTestId("streaming")).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("chat-streaming.png") });
  await expect(answer.locator(".prose-chat")).toBeVisible(); // the first tokens have arrived…
  const partial = (await answer.innerText()).length;
  await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  expect((await answer.innerText()).length).toBeGreaterThan(partial); // …and more came after
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/); // the URL names the new conversation
  await request.delete(`${SIM}/__sim/faults`);
  await expect(page.getByTestId("composer")).toHaveValue("");

  await expect(answer.getByTestId("model-badge")).toContainText(/openhermes|mathstral|deepseek|codellama|wizardcoder/);
  await answer.getByText("Why this model?").click();
  await expect(answer.getByTestId("why-task-type")).toContainText("code_generation");
  await expect(answer.getByTestId("why-task-type")).not.toContainText("read with"); // a first request is read alone
  await expect(answer.getByTestId("why-reason")).toContainText(/routing policy|pattern|routing rule/);
  // The policy's own choice says what chance it had (a pattern's or a rule's has no draw).
  if (/routing policy/.test(await answer.getByTestId("why-reason").innerText())) await expect(answer.getByTestId("why-draw")).toContainText(/drew \S+ with a \d+% chance, among /);
  else await expect(answer.getByTestId("why-draw")).toHaveCount(0);
  await page.screenshot({ path: testInfo.outputPath("chat-why.png"), fullPage: true });

  const model = (await answer.getAttribute("data-model"))!;
  // Each rating counts at once: after 5 stars, then 1 star, the model is expected to succeed less.
  const ack = answer.getByTestId("feedback-ack");
  await answer.getByTestId("star-5").click();
  await expect(ack).toContainText(/now expected to succeed at \S+ [\d.]+%/);
  const afterFive = expectedFrom(await ack.innerText(), model);
  await answer.getByTestId("star-1").click();
  // Wait for the new acknowledgement (not "Saving…", not the previous one): then it must be lower.
  await expect.poll(async () => expectedIn(await ack.innerText(), model) ?? Infinity, { timeout: 20_000 }).toBeLessThan(afterFive);
  await answer.getByTestId("tag-needs-comments").click();
  await expect(answer.getByTestId("feedback-ack")).toContainText("Saved");
  // "Wrong task type?": the user says what it really was; the classifiers learn from it.
  await answer.getByTestId("task-type-correction").selectOption("debugging");
  await expect(answer.getByTestId("task-type-ack")).toContainText("the classifiers learn that this was debugging");

  await page.reload();
  const again = page.getByTestId("answer").first();
  await again.getByText("Why this model?").click();
  await expect(again.getByTestId("task-type-correction")).toHaveValue("debugging");
  await expect(again.getByTestId("star-1")).toHaveAttribute("aria-checked", "true");
  await expect(again.getByTestId("tag-needs-comments")).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("conversation-list")).toContainText("Write a Python function that checks");

  // The next answer shows its routing too; a short follow-up is read by the request before it.
  await send(page, "same in javascript");
  const next = page.getByTestId("answer").nth(1);
  await expect(next).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await next.getByText("Why this model?").click();
  await expect(next.getByTestId("why-task-type")).toContainText("code_generation");
  await expect(next.getByTestId("why-task-type")).toContainText("read with your request before it");
  await expect(next.getByTestId("why-means")).toContainText(model);
});

test("New chat starts at once: what is typed and sent straight after it goes to a new conversation, and Back shows the old one", async ({ page }) => {
  await page.goto("/chat");
  await send(page, "Explain what a Python generator is.");
  await expect(page.getByTestId("answer").first()).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  const first = page.url();

  // No wait between the click and the typing: nothing the user does is lost to a page change.
  await page.getByTestId("new-chat").click();
  await send(page, "Explain what a Rust trait object is.");
  const thread = page.getByTestId("thread");
  await expect(thread.getByTestId("user-message")).toHaveText(["Explain what a Rust trait object is."]);
  await expect(thread.getByTestId("answer").first()).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  expect(page.url()).not.toBe(first);
  await expect(page.getByTestId("conversation-list")).toContainText("Explain what a Rust trait object is.");
  await expect(page.getByTestId("conversation-list")).toContainText("Explain what a Python generator is.");

  // The browser's Back returns to the first conversation, as it was.
  await page.goBack();
  await expect(page).toHaveURL(first);
  await expect(page.getByTestId("thread").getByTestId("user-message")).toHaveText(["Explain what a Python generator is."]);
});

test("a conversation begun on /chat is shown again when the browser comes back to it from another", async ({ page }) => {
  await page.goto("/chat");
  await send(page, "What is a Bloom filter?");
  await expect(page.getByTestId("answer").first()).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await page.getByTestId("new-chat").click();
  await send(page, "What is a skip list?");
  await expect(page.getByTestId("answer").first()).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  const second = page.url();

  // Open the first one from the list (the router's own navigation), then come back.
  await page.getByTestId("conversation-link").filter({ hasText: "What is a Bloom filter?" }).first().click();
  await expect(page.getByTestId("thread").getByTestId("user-message")).toHaveText(["What is a Bloom filter?"]);
  await page.goBack();
  await expect(page).toHaveURL(second);
  await expect(page.getByTestId("thread").getByTestId("user-message")).toHaveText(["What is a skip list?"]);
});

test("deleting the conversation on screen starts a new one: its messages leave, and the next message is answered in a new conversation", async ({ page }) => {
  page.on("dialog", (d) => void d.accept());
  await page.goto("/chat");
  await send(page, "What does the volatile keyword do in Java?");
  await expect(page.getByTestId("answer").first()).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  const deleted = page.url();

  const item = page.getByTestId("conversation-list").locator("li", { hasText: "What does the volatile keyword do in Java?" });
  await item.hover();
  await item.getByTestId("delete").click();
  await expect(page.getByTestId("conversation-list")).not.toContainText("What does the volatile keyword do in Java?");
  await expect(page.getByTestId("thread").getByTestId("user-message")).toHaveCount(0);

  await send(page, "Explain Java's happens-before relation.");
  await expect(page.getByTestId("thread").getByTestId("answer").first()).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await expect(page.getByTestId("thread").getByTestId("user-message")).toHaveText(["Explain Java's happens-before relation."]);
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  expect(page.url()).not.toBe(deleted);
});

test("on a phone's width the conversation list sits above the thread, and the thread takes the width", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/chat");
  const thread = (await page.getByTestId("thread").boundingBox())!;
  const list = (await page.getByRole("complementary", { name: "Conversations" }).boundingBox())!;
  expect(thread.width).toBeGreaterThan(300);
  expect(list.y + list.height).toBeLessThanOrEqual(thread.y);
  await send(page, "What is 17 * 23?");
  await expect(page.getByTestId("answer").first()).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  expect((await page.getByTestId("answer").first().boundingBox())!.width).toBeGreaterThan(300);
});

/** The expected success of a model, as the feedback acknowledgement says it ("… now expected to succeed at code_generation 35.4% …"), or null while it says something else ("Saving…"). */
function expectedIn(ack: string, model: string): number | null {
  const m = new RegExp(`${model.replace(/[.:]/g, "\\$&")} now expected to succeed at \\S+ ([\\d.]+)%`).exec(ack);
  return m ? Number(m[1]) : null;
}

function expectedFrom(ack: string, model: string): number {
  const v = expectedIn(ack, model);
  if (v === null) throw new Error(`no expected success for ${model} in "${ack}"`);
  return v;
}

test("regenerate with another model and prefer it: the answers stand side by side", async ({ page }, testInfo) => {
  await page.goto("/chat");
  await send(page, "Explain what a closure is in JavaScript.");
  const first = page.getByTestId("answer").first();
  await expect(first).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  const firstModel = await first.getAttribute("data-model");

  const select = first.getByTestId("regenerate-model");
  const options = await select.locator("option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
  const other = options.find((m) => m !== firstModel)!;
  await select.selectOption(other);
  await first.getByTestId("regenerate-with").click();

  const answers = page.getByTestId("turn").first().getByTestId("answer");
  await expect(answers).toHaveCount(2);
  const second = answers.nth(1);
  await expect(second).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await expect(second).toHaveAttribute("data-model", other);
  await second.getByTestId("prefer").click();
  await expect(second).toContainText("preferred");
  await page.screenshot({ path: testInfo.outputPath("chat-siblings.png"), fullPage: true });

  await page.reload();
  const after = page.getByTestId("turn").first().getByTestId("answer");
  await expect(after).toHaveCount(2);
  await expect(after.nth(1)).toContainText("preferred");
  await expect(after.nth(0)).not.toContainText("preferred");
});

test("a model whose stream breaks is replaced by the next one, with a notice", async ({ page, request }, testInfo) => {
  await page.goto("/chat");
  await send(page, "Write a TypeScript function that debounces another function.");
  const first = page.getByTestId("answer").first();
  await expect(first).toHaveAttribute("data-status", "completed", { timeout: 30_000 });

  // The next answer is forced onto deepseek-coder, whose stream the simulator cuts after 3 chunks.
  expect((await request.post(`${SIM}/__sim/faults`, { data: { faults: [{ model: "deepseek-coder:6.7b", fault: "cut:3" }] } })).ok()).toBe(true);
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/); // the new conversation is named: nothing left to re-render
  await first.getByTestId("regenerate-model").selectOption("deepseek-coder:6.7b");
  await expect(first.getByTestId("regenerate-model")).toHaveValue("deepseek-coder:6.7b");
  await first.getByTestId("regenerate-with").click();
  const second = page.getByTestId("turn").first().getByTestId("answer").nth(1);
  await expect(second).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await expect(second.getByTestId("fallback-notice")).toContainText("deepseek-coder:6.7b could not answer (stream_broken");
  await expect(second).not.toHaveAttribute("data-model", "deepseek-coder:6.7b");
  await second.getByText("Why this model?").click();
  await expect(second.getByTestId("why-attempts")).toContainText("deepseek-coder:6.7b: stream_broken");
  await page.screenshot({ path: testInfo.outputPath("chat-fallback.png"), fullPage: true });
});

test.describe("with no Ollama at all", () => {
  let server: ChildProcess;
  const PORT = Number(process.env.E2E_APP_PORT ?? 3100) + 1;
  test.beforeAll(async () => {
    fs.rmSync(`.data/e2e-down-${PORT}`, { recursive: true, force: true });
    fs.rmSync(`.data/e2e-down-${PORT}.lock`, { force: true });
    server = spawn(...serverCommand(PORT), {
      env: { ...process.env, PGLITE_DATA_DIR: `.data/e2e-down-${PORT}`, OLLAMA_HOST: "http://127.0.0.1:9" },
      stdio: "ignore",
      detached: true, // its own process group, so the whole server stops with it
    });
    for (let i = 0; i < 120; i++) {
      const ok = await fetch(`http://127.0.0.1:${PORT}/api/health`).then((r) => r.status < 500, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error("the second server did not start");
  });
  test.afterAll(() => {
    if (server?.pid) process.kill(-server.pid, "SIGTERM");
  });

  test("the chat says Ollama is down and what to do, and keeps the message", async ({ page }, testInfo) => {
    await page.goto(`http://127.0.0.1:${PORT}/chat`);
    await expect(page.getByTestId("banner-ollama-down")).toBeVisible();
    await send(page, "What is 2 + 2?");
    const answer = page.getByTestId("answer").first();
    await expect(answer.getByTestId("chat-error")).toContainText("No Ollama host answers");
    await expect(answer.getByTestId("chat-error").getByRole("link", { name: /Settings/ })).toBeVisible();
    await expect(page.getByTestId("composer")).toHaveValue("What is 2 + 2?");
    await page.screenshot({ path: testInfo.outputPath("chat-ollama-down.png"), fullPage: true });
  });
});
