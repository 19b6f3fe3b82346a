import { expect, test, type Page } from "@playwright/test";
import { TASK_TYPES } from "../../lib/domain/task-types";

/**
 * The dashboard on a seeded history (playwright.config.ts seeds 2 000 interactions over 30
 * days before the server starts). In embedded mode everyone is the local operator, so the
 * refusal of non-operators is tested in vitest (tests/integration/dashboard-access.test.ts:
 * the page renders Forbidden, the export route answers 401/403).
 */

const CHARTS = ["chart-heatmap", "chart-latency", "chart-routing-share", "chart-satisfaction", "chart-learning", "chart-fallbacks", "chart-param-arms"];
const CHART_SVG = ".recharts-wrapper > svg.recharts-surface";
const DRAWN = ["chart-latency", "chart-routing-share", "chart-satisfaction", "chart-learning", "chart-fallbacks", "chart-param-arms"];

async function expectEveryChart(page: Page) {
  for (const id of CHARTS) {
    const card = page.getByTestId(id);
    await expect(card, id).toBeVisible();
    await expect(card, `${id} should have data`).toHaveAttribute("data-empty", "false");
  }
  for (const id of DRAWN) await expect(page.getByTestId(id).locator(CHART_SVG).first(), id).toBeVisible();
  await expect(page.getByTestId("heatmap-cell").first()).toBeVisible();
}

const kpi = (page: Page, id: string) => page.getByTestId(`kpi-${id}-value`);

test("the overview shows the figures and every chart on seeded data", async ({ page }, testInfo) => {
  await page.goto("/dashboard?range=30d");
  await expect(page.getByTestId("page-dashboard")).toBeVisible();
  await expect(page.getByTestId("range-30d")).toHaveAttribute("aria-pressed", "true");
  await expectEveryChart(page);

  const interactions = Number((await kpi(page, "interactions").innerText()).replace(/[^0-9.]/g, ""));
  expect(interactions).toBeGreaterThan(1000);
  for (const id of ["success", "satisfaction", "p50", "p95", "fallback"]) await expect(kpi(page, id), id).not.toHaveText("—");
  await expect(kpi(page, "success")).toHaveText(/^\d+(\.\d)?%$/);
  await expect(kpi(page, "p95")).toHaveText(/\d+(\.\d+)? (ms|s|min)$/);
  // Five models in the heatmap, a cell for every task type routing learns (editors' completions included).
  await expect(page.getByTestId("heatmap-table").locator("tbody tr")).toHaveCount(5);
  await expect(page.getByTestId("heatmap-cell")).toHaveCount(5 * TASK_TYPES.length);

  // A tooltip on hover.
  const share = page.getByTestId("chart-routing-share").locator(CHART_SVG);
  await share.scrollIntoViewIfNeeded();
  const box = await share.boundingBox();
  await page.mouse.move(box!.x + box!.width * 0.7, box!.y + box!.height / 2);
  await expect(page.getByTestId("chart-routing-share").locator(".recharts-tooltip-wrapper")).toContainText("requests");

  await page.screenshot({ path: testInfo.outputPath("dashboard-overview.png"), fullPage: true });
});

test("filters change every chart and live in the URL", async ({ page }, testInfo) => {
  await page.goto("/dashboard?range=30d");
  const before = await kpi(page, "interactions").innerText();

  await page.getByTestId("filter-model").selectOption("mathstral");
  await expect(page).toHaveURL(/model=mathstral/);
  await expect(page.getByTestId("dashboard-scope")).toContainText("for mathstral");
  await expect(kpi(page, "interactions")).not.toHaveText(before);
  await expect(page.getByTestId("heatmap-table").locator("tbody tr")).toHaveCount(1);
  await expect(page.getByTestId("chart-routing-share").locator(".recharts-legend-item")).toHaveCount(1);
  await expect(page.getByTestId("chart-routing-share").locator(".recharts-legend-item")).toContainText("mathstral");
  const mathstralOnly = await kpi(page, "interactions").innerText();

  await page.getByTestId("filter-task").selectOption("math");
  await expect(page).toHaveURL(/task=math/);
  await expect(page.getByTestId("heatmap-cell")).toHaveCount(1);
  await expect(kpi(page, "interactions")).not.toHaveText(mathstralOnly);

  await page.getByTestId("range-all").click();
  await expect(page).toHaveURL(/range=all/);
  await expectEveryChart(page);
  await page.screenshot({ path: testInfo.outputPath("dashboard-filtered.png"), fullPage: true });

  // The state survives a reload: it is in the URL.
  await page.reload();
  await expect(page.getByTestId("filter-model")).toHaveValue("mathstral");
  await expect(page.getByTestId("filter-task")).toHaveValue("math");

  // Export follows the same filters.
  const href = await page.getByTestId("export-csv").getAttribute("href");
  expect(href).toMatch(/model=mathstral/);
  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("text/csv");
  const lines = (await res.text()).trim().split("\r\n");
  expect(lines[0]).toMatch(/^id,created_at,/);
  expect(lines.length).toBeGreaterThan(5);
  expect(lines.slice(1).every((l) => l.includes(",math,") && l.includes("mathstral"))).toBe(true);
});

test("a week's time axis reads as days, one label a day, in order", async ({ page }) => {
  await page.goto("/dashboard?range=7d");
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  for (const id of ["chart-latency", "chart-routing-share", "chart-learning"]) {
    const ticks = page.getByTestId(id).locator(".recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value");
    await expect(ticks.first(), id).toBeVisible();
    const labels = await ticks.allTextContents();
    // Seven days of hourly buckets span seven midnights (eight when the window starts on one).
    expect(labels.length, `${id}: ${labels.join(", ")}`).toBeGreaterThanOrEqual(7);
    expect(labels.length, `${id}: ${labels.join(", ")}`).toBeLessThanOrEqual(8);
    let previous: number | null = null;
    let year = 2000;
    for (const label of labels) {
      const m = /^(\d{1,2}) ([A-Z][a-z]{2})$/.exec(label);
      expect(m, `${id}: "${label}" is a day`).not.toBeNull();
      let day = Date.UTC(year, MONTHS.indexOf(m![2]), Number(m![1]));
      if (previous !== null && day < previous) day = Date.UTC(++year, MONTHS.indexOf(m![2]), Number(m![1])); // December → January
      if (previous !== null) expect(day - previous, `${id}: ${labels.join(", ")}`).toBe(86_400_000);
      previous = day;
    }
  }
});

test("an empty selection says why it is empty", async ({ page }) => {
  await page.goto("/dashboard?range=24h&model=not-a-model");
  await expect(page.getByTestId("chart-routing-share")).toHaveAttribute("data-empty", "true");
  await expect(page.getByTestId("chart-routing-share").getByTestId("chart-empty")).toContainText("No requests were routed in the last 24 h for not-a-model");
  await expect(kpi(page, "success")).toHaveText("—");
});

test("each model has its own page, readable in dark mode", async ({ page }, testInfo) => {
  await page.goto("/dashboard?range=30d");
  await page.getByTestId("heatmap-table").getByRole("link", { name: "deepseek-coder:6.7b" }).click();
  await expect(page).toHaveURL(/\/dashboard\/models\/deepseek-coder/);
  await expect(page.getByTestId("page-dashboard-model")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("deepseek-coder:6.7b");
  await expectEveryChart(page);
  await expect(page.getByTestId("heatmap-table").locator("tbody tr")).toHaveCount(1);

  await page.evaluate(() => localStorage.setItem("theme", "dark"));
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
  // Text is light on the dark background.
  const [fg, bg] = await page.evaluate(() => {
    // Lightness 0–1 of a computed colour: lab(L a b) with L in 0–100, oklch(L C H), or rgb().
    const lum = (c: string) => {
      const n = (c.match(/-?[\d.]+/g) ?? ["0", "0", "0"]).map(Number);
      if (c.startsWith("lab")) return n[0] / 100;
      if (c.startsWith("oklch")) return n[0] > 1 ? n[0] / 100 : n[0];
      return (0.2126 * n[0] + 0.7152 * n[1] + 0.0722 * n[2]) / 255;
    };
    const value = document.querySelector('[data-testid="kpi-interactions-value"]')!;
    return [lum(getComputedStyle(value).color), lum(getComputedStyle(document.body).backgroundColor)];
  });
  expect(fg - bg).toBeGreaterThan(0.6);
  await page.screenshot({ path: testInfo.outputPath("dashboard-model-dark.png"), fullPage: true });
});

test("what learned routing is worth: answers routed through the API, rated, then judged against the role table and each model", async ({ page, request }, testInfo) => {
  await page.goto("/settings");
  await page.getByTestId("api-key-name").fill("e2e routing value");
  await page.getByTestId("api-key-create").click();
  const key = (await page.getByTestId("api-key-secret").innerText()).trim();
  const headers = { authorization: `Bearer ${key}` };
  const prompts = ["Write a Go function that reverses a slice", "Why does my C program crash when I free a pointer twice?", "Integrate x * e^x", "Explain the CAP theorem", "Make this SQL query faster: select * from orders where status = 'open'"];
  for (let i = 0; i < 8; i++) {
    const res = await request.post("/v1/chat/completions", { headers, data: { model: "elite", messages: [{ role: "user", content: `${prompts[i % prompts.length]} (${i})` }] } });
    expect(res.status()).toBe(200);
    const body = (await res.json()) as { elite: { interaction_id: string } };
    const rated = await request.post("/api/feedback", { headers, data: { interaction_id: body.elite.interaction_id, thumbs: i % 3 ? "up" : "down" } });
    expect(rated.status()).toBe(200);
  }

  await page.goto("/dashboard?range=24h");
  const card = page.getByTestId("chart-routing-value");
  await expect(card).toHaveAttribute("data-empty", "false");
  const learned = card.locator('[data-testid="routing-value-row"][data-policy="learned"]');
  await expect(learned).toBeVisible();
  await expect(learned.getByTestId("routing-value-estimate")).toHaveText(/^\d+%$/);
  await expect(card).toContainText(/answers/);
  await card.screenshot({ path: testInfo.outputPath("routing-value.png") });
  // On a model's own page there is nothing to compare it with.
  await page.goto("/dashboard/models/mathstral?range=24h");
  await expect(page.getByTestId("page-dashboard-model")).toBeVisible();
  await expect(page.getByTestId("chart-routing-value")).toHaveCount(0);
});
