#!/usr/bin/env bash
# `npm test`: every test, from a fresh clone. Installs dependencies and Debian's Chromium
# when missing, runs the unit/integration/RLS tests (vitest, on PGlite with the real
# migrations and the Ollama simulator), the integration/RLS/orchestrator suites again on a
# real PostgreSQL 15 + pgvector server (scripts/postgres.sh), builds the app, runs the browser tests
# (Playwright in Debian's Chromium against the built app on the simulator), and ends with
# one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
export NEXT_TELEMETRY_DISABLED=1 # no calls home
rm -f test-results/vitest.json test-results/vitest-postgres.json test-results/vitest-postgres.skipped test-results/playwright.json

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || exit 1
fi

if [ ! -x /usr/bin/chromium ] && [ -z "${PLAYWRIGHT_CHROMIUM:-}" ]; then
  echo "Installing Debian's Chromium for the browser tests…"
  if [ "$(id -u)" = "0" ]; then apt-get update && apt-get install -y chromium
  else sudo apt-get update && sudo apt-get install -y chromium; fi || echo "Could not install chromium: the browser tests will fail."
fi

status=0
npx vitest run || status=1

build_ok=1
if ! npx next build; then build_ok=0; status=1; fi

# The same integration, RLS and orchestrator suites on a real PostgreSQL server, when this
# machine has (or, as root, can install) PostgreSQL 15 and can build pgvector; with them,
# two servers of the build on one database (tests/postgres).
if bash scripts/postgres.sh check; then
  bash scripts/test-postgres.sh || status=1
else
  echo "The PostgreSQL suite did not run: the pieces above are missing (npm run test:postgres runs it)."
  echo "skipped" >test-results/vitest-postgres.skipped
fi

if [ "$build_ok" = 1 ]; then
  npx playwright test || status=1
fi

node scripts/test-summary.mjs "$build_ok" || status=1
exit $status
