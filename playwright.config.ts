import fs from "node:fs";
import { defineConfig, devices } from "@playwright/test";

// Overridable so that several runs can share a machine.
const APP_PORT = Number(process.env.E2E_APP_PORT ?? 3100);
const SIM_PORT = Number(process.env.E2E_SIM_PORT ?? 11531);
process.env.E2E_SIM_URL = `http://127.0.0.1:${SIM_PORT}`;
const chromium = process.env.PLAYWRIGHT_CHROMIUM ?? (fs.existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results/playwright-artifacts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"], ["json", { outputFile: "test-results/playwright.json" }]],
  use: {
    baseURL: `http://127.0.0.1:${APP_PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      // Debian's Chromium when present (never a downloaded browser here); Playwright's own elsewhere.
      executablePath: chromium,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], channel: undefined } }],
  webServer: [
    {
      command: `npx tsx sim/cli.ts --port ${SIM_PORT} --seed 7 --time-scale 0.3`,
      url: `http://127.0.0.1:${SIM_PORT}/api/version`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      // A seeded history (demo users only) for the dashboard; other tests start new conversations.
      command: `rm -rf .data/e2e-${APP_PORT} .data/e2e-${APP_PORT}.lock && npx tsx scripts/seed-demo.ts --interactions 2000 --days 30 && node scripts/serve.mjs -p ${APP_PORT}`,
      url: `http://127.0.0.1:${APP_PORT}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      env: { PGLITE_DATA_DIR: `.data/e2e-${APP_PORT}`, OLLAMA_HOST: `http://127.0.0.1:${SIM_PORT}` },
    },
  ],
});
