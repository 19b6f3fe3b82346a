// Adds up the vitest and Playwright JSON reports into the one closing line CI reads.
import fs from "node:fs";

const read = (f) => (fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, "utf8")) : null);
let passed = 0;
let failed = 0;
const parts = [];

const v = read("test-results/vitest.json");
if (v) {
  passed += v.numPassedTests;
  failed += v.numFailedTests + (v.numRuntimeErrors ?? 0);
  // A test file that crashed before its tests ran counts as a failure too.
  failed += (v.testResults ?? []).filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
  parts.push(`vitest ${v.numPassedTests}/${v.numTotalTests}`);
} else {
  failed += 1;
  parts.push("vitest: no report (it did not run)");
}

const pg = read("test-results/vitest-postgres.json");
if (pg) {
  passed += pg.numPassedTests;
  failed += pg.numFailedTests + (pg.numRuntimeErrors ?? 0);
  failed += (pg.testResults ?? []).filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
  parts.push(`vitest on PostgreSQL ${pg.numPassedTests}/${pg.numTotalTests}`);
} else if (fs.existsSync("test-results/vitest-postgres.skipped")) {
  parts.push("PostgreSQL suite not run: PostgreSQL 15 / pgvector missing on this machine");
} else {
  failed += 1;
  parts.push("vitest on PostgreSQL: no report (it did not run)");
}

if (process.argv[2] === "0") {
  failed += 1;
  parts.push("next build failed");
}

const p = read("test-results/playwright.json");
if (p) {
  passed += p.stats.expected + p.stats.flaky;
  failed += p.stats.unexpected;
  parts.push(`playwright ${p.stats.expected + p.stats.flaky}/${p.stats.expected + p.stats.flaky + p.stats.unexpected}`);
} else if (process.argv[2] !== "0") {
  failed += 1;
  parts.push("playwright: no report (it did not run)");
}

console.log(`\n(${parts.join("; ")})`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
