import { expect, test } from "@playwright/test";
import { makePdf } from "../support/make-pdf";

const GUIDE = `# Quokka cluster guide

## Rolling restarts
To restart the quokka cluster without downtime, drain one quokka node at a time with
\`quokkactl drain\`, wait until its health check passes, then restart the next node.

## Backups
Quokka snapshots are taken hourly with \`quokkactl snapshot\` and kept for seven days.
`;

test("upload documents (one refused), watch them reach ready across a reload, preview search, and get a cited answer", async ({ page }, testInfo) => {
  await page.goto("/knowledge");
  await expect(page.getByTestId("page-knowledge")).toBeVisible();

  await page.getByTestId("file-input").setInputFiles([
    { name: "quokka-guide.md", mimeType: "text/markdown", buffer: Buffer.from(GUIDE) },
    {
      name: "wombat-manual.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from(makePdf([["Wombat burrow maintenance manual.", "Wombat burrows need their tunnels inspected every spring for collapse."]])),
    },
    { name: "firmware.bin", mimeType: "application/octet-stream", buffer: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x00, 0x01]) },
  ]);

  const refused = page.locator('[data-testid="upload-result"][data-filename="firmware.bin"]');
  await expect(refused).toHaveAttribute("data-state", "refused");
  await expect(refused.getByTestId("upload-refused")).toContainText("binary file");
  await expect(page.locator('[data-testid="upload-result"][data-filename="quokka-guide.md"]')).toHaveAttribute("data-state", "accepted");
  await expect(page.locator('[data-testid="upload-result"][data-filename="wombat-manual.pdf"]')).toHaveAttribute("data-state", "accepted");

  // Progress lives in the database: after a reload the documents are still there and reach ready.
  await page.reload();
  const guide = page.locator('[data-testid="document-row"][data-title="quokka-guide.md"]');
  const manual = page.locator('[data-testid="document-row"][data-title="wombat-manual.pdf"]');
  await expect(guide).toBeVisible();
  await expect(guide).toHaveAttribute("data-status", "ready", { timeout: 30_000 });
  await expect(manual).toHaveAttribute("data-status", "ready", { timeout: 30_000 });
  expect(Number(await guide.getByTestId("document-chunks").innerText().then((t) => t.split("\n")[0]))).toBeGreaterThanOrEqual(2);
  await page.screenshot({ path: testInfo.outputPath("knowledge-documents.png"), fullPage: true });

  await page.getByTestId("search-query").fill("wombat burrow tunnels inspection");
  await page.getByTestId("search-submit").click();
  const hit = page.getByTestId("search-hit").first();
  await expect(hit).toContainText("wombat-manual.pdf");
  await expect(hit.getByTestId("search-score")).toHaveText(/score 0\.\d{3}|score 1\.000/);
  // Whether a request's prompt would get it, judged against the embedding model's own background.
  await expect(hit.getByTestId("search-grounds")).toHaveAttribute("data-grounds", "true");
  await expect(hit.getByTestId("search-grounds")).toContainText(/goes into a prompt · nearer than (any unrelated request|\d+% of unrelated requests)/);
  // A question the documents do not answer: what the search finds goes into no prompt.
  await page.getByTestId("search-query").fill("How do I center a div with CSS grid?");
  await page.getByTestId("search-submit").click();
  await expect(page.getByTestId("search-results")).toHaveAttribute("data-query", "How do I center a div with CSS grid?");
  await expect(page.locator('[data-testid="search-grounds"][data-grounds="true"]')).toHaveCount(0);

  await page.goto("/chat");
  await page.getByTestId("composer").fill("How do I restart the quokka cluster without downtime with quokkactl drain?");
  await page.getByTestId("composer").press("Enter");
  const answer = page.getByTestId("answer").first();
  await expect(answer).toHaveAttribute("data-status", "completed", { timeout: 30_000 });
  await expect(answer.getByTestId("answer-sources")).toContainText("quokka-guide.md › Quokka cluster guide › Rolling restarts");
  await answer.getByText("Why this model?").click();
  await expect(answer.getByTestId("why-panel")).toContainText("Knowledge used");
  await expect(answer.getByTestId("why-knowledge")).toContainText(/Rolling restarts \(nearer than (any unrelated request|\d+% of unrelated requests)\)/);
  await page.screenshot({ path: testInfo.outputPath("knowledge-cited-answer.png"), fullPage: true });
});

test("delete a document: it leaves the list", async ({ page }) => {
  await page.goto("/knowledge");
  await page.getByTestId("file-input").setInputFiles([{ name: "temp-notes.txt", mimeType: "text/plain", buffer: Buffer.from("Temporary notes about platypus feeding schedules.") }]);
  const row = page.locator('[data-testid="document-row"][data-title="temp-notes.txt"]');
  await expect(row).toHaveAttribute("data-status", "ready", { timeout: 30_000 });
  page.once("dialog", (d) => void d.accept());
  await row.getByTestId("document-delete").click();
  await expect(row).toHaveCount(0);
  await page.reload();
  await expect(page.locator('[data-testid="document-row"][data-title="temp-notes.txt"]')).toHaveCount(0);
});
