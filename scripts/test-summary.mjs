// Adds up the vitest and Playwright JSON reports into the one closing line CI reads.
import fs from "node:fs";

const read = (f) => (fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, "utf8")) : null);
let passed = 0;
let failed = 0;
const parts = [];
/** The failed tests, named with the first lines of why, printed before the closing line (CI shows the tail). */
const failures = [];
const firstLines = (text, n = 6) => String(text ?? "").replace(/\x1b\[[0-9;]*m/g, "").split("\n").slice(0, n).join("\n    ");

function vitestFailures(report, label) {
  for (const f of report.testResults ?? []) {
    const file = String(f.name).replace(process.cwd() + "/", "");
    if (f.status === "failed" && f.assertionResults.length === 0) failures.push(`${label} ${file}: ${firstLines(f.message)}`);
    for (const a of f.assertionResults) {
      if (a.status === "failed") failures.push(`${label} ${file} › ${a.fullName}\n    ${firstLines((a.failureMessages ?? []).join("\n"))}`);
    }
  }
}

const v = read("test-results/vitest.json");
if (v) {
  passed += v.numPassedTests;
  failed += v.numFailedTests + (v.numRuntimeErrors ?? 0);
  // A test file that crashed before its tests ran counts as a failure too.
  failed += (v.testResults ?? []).filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
  parts.push(`vitest ${v.numPassedTests}/${v.numTotalTests}`);
  vitestFailures(v, "vitest");
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
  vitestFailures(pg, "vitest on PostgreSQL");
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
  const walk = (suite, file) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== "unexpected") continue;
        const last = (t.results ?? []).at(-1);
        failures.push(`playwright ${spec.file ?? file} › ${spec.title}\n    ${firstLines(last?.error?.message ?? last?.errors?.[0]?.message)}`);
      }
    }
    for (const s of suite.suites ?? []) walk(s, s.file ?? file);
  };
  for (const s of p.suites ?? []) walk(s, s.file);
} else if (process.argv[2] !== "0") {
  failed += 1;
  parts.push("playwright: no report (it did not run)");
}

if (failures.length) console.log(`\nFailed:\n${failures.map((f) => `  ${f}`).join("\n")}`);
console.log(`\n(${parts.join("; ")})`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
