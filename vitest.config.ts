import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // `server-only` throws outside React Server Components; in tests it is a no-op.
      "server-only": path.resolve(import.meta.dirname, "tests/support/server-only.ts"),
    },
  },
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts", "supabase/tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    // The suites drive hundreds of requests a minute as one user; the limits have their own tests.
    env: { RATE_LIMIT_CHAT_PER_MINUTE: "0", RATE_LIMIT_FEEDBACK_PER_MINUTE: "0", RATE_LIMIT_KEYS_PER_HOUR: "0" },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
