import { test } from "@playwright/test";
test("debug", async ({ page }) => {
  await page.goto("/dashboard?range=30d");
  await page.evaluate(() => localStorage.setItem("theme", "dark"));
  await page.reload();
  const c = await page.evaluate(() => [getComputedStyle(document.querySelector('[data-testid="kpi-interactions-value"]')!).color, getComputedStyle(document.body).backgroundColor]);
  console.log("COLORS", JSON.stringify(c));
  const svg = page.getByTestId("chart-routing-share").locator(".recharts-wrapper > svg.recharts-surface");
  await svg.scrollIntoViewIfNeeded();
  const box = await svg.boundingBox();
  console.log("BOX", box);
  await page.mouse.move(box!.x + box!.width * 0.7, box!.y + box!.height / 2);
  await page.waitForTimeout(500);
  await page.mouse.move(box!.x + box!.width * 0.72, box!.y + box!.height / 2);
  await page.waitForTimeout(500);
  console.log("TIP", await page.getByTestId("chart-routing-share").locator(".recharts-tooltip-wrapper").evaluate((e) => e.outerHTML.slice(0, 500)));
});
