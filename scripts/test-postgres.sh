#!/usr/bin/env bash
# `npm run test:postgres`: the integration, RLS and orchestrator suites through postgres.js on a
# real PostgreSQL 15 + pgvector 0.8.1 server (scripts/postgres.sh installs what is missing when
# run as root, starts it on its own port and directory, and this script stops it afterwards).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
rm -f test-results/vitest-postgres.json
bash scripts/postgres.sh check || exit 1
# tests/postgres/ runs two servers of the built app on the database.
if [ ! -f "${NEXT_DIST_DIR:-.next}/BUILD_ID" ]; then npx next build || exit 1; fi
url=$(bash scripts/postgres.sh start) || { echo "The PostgreSQL server did not start: the PostgreSQL suite did not run."; exit 1; }
trap 'bash scripts/postgres.sh stop' EXIT
echo "PostgreSQL suite on $url"
ELITE_TEST_DATABASE_URL="$url" npx vitest run --config vitest.postgres.config.ts "$@"
