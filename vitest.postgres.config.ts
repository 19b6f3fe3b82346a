import { defineConfig } from "vitest/config";
import base from "./vitest.config";

/**
 * `npm run test:postgres`: the integration, RLS and orchestrator suites through postgres.js
 * against the real PostgreSQL 15 + pgvector server that scripts/test-postgres.sh starts
 * (ELITE_TEST_DATABASE_URL). The unit tests touch no database and run once, in `vitest run`.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // tests/postgres/: several app instances on one database, which an embedded database cannot have.
    include: ["tests/integration/**/*.test.ts", "supabase/tests/**/*.test.ts", "tests/postgres/**/*.test.ts"],
    outputFile: { json: "test-results/vitest-postgres.json" },
  },
});
