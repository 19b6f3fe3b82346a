import { expect, test } from "@playwright/test";

test("the app starts on the embedded defaults and every navigation entry opens", async ({ page }, testInfo) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByTestId("banner-simulated")).toBeVisible();
  await expect(page.getByTestId("identity")).toContainText("operator");
  // The tab has the app's icon (no 404 for a favicon in every page's console).
  const icon = await page.locator('link[rel="icon"]').first().getAttribute("href");
  expect(icon).toBeTruthy();
  expect((await page.request.get(icon!)).status()).toBe(200);

  const entries = [
    ["nav-chat", "page-chat", "/chat"],
    ["nav-dashboard", "page-dashboard", "/dashboard"],
    ["nav-adaptations", "page-adaptations", "/adaptations"],
    ["nav-knowledge", "page-knowledge", "/knowledge"],
    ["nav-settings", "page-settings", "/settings"],
  ] as const;
  for (const [nav, pageId, path] of entries) {
    await page.getByTestId(nav).first().click();
    await expect(page).toHaveURL(new RegExp(`${path}$`));
    await expect(page.getByTestId(pageId)).toBeVisible();
    await expect(page.getByTestId(nav).first()).toHaveAttribute("aria-current", "page");
  }

  // Settings tells the truth about the database and the (simulated) Ollama host.
  await expect(page.getByTestId("db-mode")).toContainText("Embedded");
  await expect(page.getByTestId("db-status")).toContainText("migrations applied");
  await expect(page.getByTestId("ollama-hosts")).toContainText("Simulated");
  // The simulator's chat models all play roles: nothing else to route to.
  await expect(page.getByTestId("routed-models-none")).toContainText("Every installed chat model plays a role");
  await page.screenshot({ path: testInfo.outputPath("settings-light.png"), fullPage: true });

  // Dark mode: system → light → dark.
  await page.getByTestId("theme-toggle").click();
  await page.getByTestId("theme-toggle").click();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.screenshot({ path: testInfo.outputPath("settings-dark.png"), fullPage: true });
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
});

test("the health endpoint reports the database and the simulated Ollama", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.status).toBe("ok");
  expect(body.database).toMatchObject({ ok: true, mode: "embedded" });
  expect(body.database.migrations).toBeGreaterThanOrEqual(6);
  expect(body.ollama).toMatchObject({ ok: true, simulated: true });
});

test("an address no route answers is a clear 4xx, never a 500: broken percent-encoding is a 400, an unknown API path a JSON 404", async ({ request }) => {
  // Next.js fails decoding such a path with a 500, on pages and API routes alike; the server refuses it first.
  for (const path of ["/chat/%E0%A4%A", "/v1/models/%E0%A4%A", "/api/%ZZ"]) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(400);
    expect((await res.json()).error).toMatch(/percent-encoding/);
  }
  const pull = await request.post("/api/pull", { data: { model: "qwen2.5-coder:7b" } });
  expect(pull.status()).toBe(404);
  expect((await pull.json()).error).toMatch(/ollama pull/);
  const unknown = await request.get("/v1/assistants");
  expect(unknown.status()).toBe(404);
  expect((await unknown.json()).error).toMatchObject({ type: "invalid_request_error", code: "not_found" });
  // The app's own /api routes are not shadowed by the catch-all.
  expect((await request.get("/api/adaptations")).status()).toBe(200);
});
