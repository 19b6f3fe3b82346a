import { expect, test } from "@playwright/test";

/**
 * The learning cycle in the browser, as the (embedded, local) operator: run an analysis,
 * approve a proposal, start an A/B test and finish it while chats run on the simulator, then
 * roll production back. Refusing non-operators is tested at the action level in vitest
 * (tests/integration/adaptations-actions.test.ts): embedded mode always runs as the operator.
 */
test("from evidence to production and back: analysis, approve, A/B test, rollback", async ({ page, request }, testInfo) => {
  test.setTimeout(180_000);
  await page.goto("/adaptations");
  await expect(page.getByTestId("page-adaptations")).toBeVisible();

  // 1. An analysis over the seeded history, with its progress, finds proposals with evidence.
  await page.getByTestId("run-analysis").click();
  await expect(page.getByTestId("analysis-result")).toContainText(/Analysed \d+ interactions: [1-9]\d* new proposal/, { timeout: 60_000 });
  const proposals = page.locator('[data-testid="proposal"][data-status="proposed"]');
  await expect(proposals.first()).toBeVisible();
  expect(await proposals.count()).toBeGreaterThanOrEqual(2);
  await expect(proposals.first().getByTestId("proposal-evidence")).toContainText(/supporting interactions/);
  await page.screenshot({ path: testInfo.outputPath("adaptations-proposals.png"), fullPage: true });

  // 2. Approve the first: a new production version.
  const productionBefore = Number(await page.locator('[data-testid="version"]:has([data-testid="label-production"])').getAttribute("data-version"));
  const title = await proposals.first().getByTestId("proposal-title").innerText();
  await proposals.first().getByTestId("decision-reason").fill("the evidence is convincing");
  await proposals.first().getByTestId("approve").click();
  await expect(page.getByTestId("action-message")).toContainText(/Approved: version \d+ is now in production/);
  const approved = page.locator('[data-testid="version"]:has([data-testid="label-production"])');
  await expect(approved).not.toHaveAttribute("data-version", String(productionBefore));
  const approvedVersion = Number(await approved.getAttribute("data-version"));
  await expect(approved).toContainText(`Approved: ${title}`.slice(0, 60));

  // 3. Start an A/B test of another proposal, send chats (both arms), watch the counts update live, finish it.
  const next = page.locator('[data-testid="proposal"][data-status="proposed"]').first();
  await next.getByTestId("ab-min-samples").fill("50");
  await next.getByTestId("start-ab").click();
  await expect(page.getByTestId("action-message")).toContainText("A/B test started");
  const experiment = page.locator('[data-testid="experiment"][data-status="running"]');
  await expect(experiment).toHaveCount(1);
  await expect(experiment.getByTestId("posterior-chart")).toBeVisible();
  await expect(page.locator('[data-testid="version"]:has([data-testid="label-candidate"])')).toHaveCount(1);
  for (let i = 0; i < 6; i++) {
    const res = await request.post("/api/messages", { data: { conversationId: null, prompt: `Write a Python function that returns the square of ${i}.` } });
    expect(res.ok()).toBe(true);
    await res.body();
  }
  // Live: the poll brings the new outcomes without a reload.
  await expect
    .poll(async () => Number(await experiment.getByTestId("arm-control-n").innerText()) + Number(await experiment.getByTestId("arm-variant-n").innerText()), { timeout: 20_000 })
    .toBe(6);
  await page.screenshot({ path: testInfo.outputPath("adaptations-experiment.png"), fullPage: true });
  await experiment.getByTestId("stop-reason").fill("seen enough in the demo");
  await experiment.getByTestId("stop-experiment").click();
  const finished = page.locator('[data-testid="experiment"][data-status="stopped"]');
  await expect(finished).toHaveCount(1);
  await expect(finished.getByTestId("experiment-end-reason")).toContainText("stopped by an operator: seen enough in the demo");
  await expect(page.locator('[data-testid="label-candidate"]')).toHaveCount(0);

  // 4. Roll back to the version before the approval: a new version copying it becomes production.
  await page.getByTestId("rollback-reason").fill("back to the old prompts");
  await page.locator(`[data-testid="version"][data-version="${productionBefore}"]`).getByTestId("rollback").click();
  await expect(page.getByTestId("action-message")).toContainText(/Rolled back: version \d+/);
  const rolled = page.locator('[data-testid="version"]:has([data-testid="label-production"])');
  await expect(rolled).toContainText(`Rollback to version ${productionBefore}`);
  expect(Number(await rolled.getAttribute("data-version"))).toBeGreaterThan(approvedVersion);
  // The diff of the rolled-back version against the approved one shows the change undone.
  await page.getByTestId("diff-from").selectOption({ label: `v${approvedVersion}` });
  await expect(page.getByTestId("version-diff").locator("li")).not.toHaveCount(0);
  await expect(page.getByTestId("audit-log")).toContainText("config.rollback");
  await expect(page.getByTestId("audit-log")).toContainText("adaptation.approve");
  // Who did it reads as a person would say it: the operator's own actions are "you", not a user id.
  await expect(page.getByTestId("audit-log").locator("tr", { hasText: "adaptation.approve" }).first()).toContainText("you");
  await expect(page.getByTestId("last-analysis")).toContainText(/Last run .* by you/);
  await expect(page.getByTestId("audit-log")).toContainText("experiment.stop");
  await page.screenshot({ path: testInfo.outputPath("adaptations-rollback.png"), fullPage: true });
});
