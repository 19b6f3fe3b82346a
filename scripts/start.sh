#!/usr/bin/env bash
# `npm start`: the app on the embedded defaults, from a fresh clone. Installs, checks the
# configuration, builds when sources changed, migrates, and runs on the Ollama simulator
# when no Ollama answers at OLLAMA_HOST (set ELITE_SIMULATOR=off to never simulate).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-3000}"
export NEXT_TELEMETRY_DISABLED=1 # no calls home

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing dependencies (npm ci)…"
  npm ci --no-audit --no-fund
fi

npx tsx scripts/check-env.ts

if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components lib proxy.ts instrumentation.ts instrumentation-node.ts next.config.ts package-lock.json -newer .next/BUILD_ID -print -quit 2>/dev/null)" ]; then
  echo "Building the app (next build)…"
  npx next build
fi

npx tsx scripts/migrate.ts

first_host="$(npx tsx scripts/check-env.ts --first-ollama-host)"
sim_pid=""
if node -e "fetch(process.argv[1] + '/api/version', { signal: AbortSignal.timeout(2000) }).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))" "$first_host"; then
  echo "Ollama answers at $first_host."
elif [ "${ELITE_SIMULATOR:-auto}" = "off" ]; then
  echo "No Ollama answers at $first_host and ELITE_SIMULATOR=off: the app starts, and says models are unavailable."
else
  sim_port="${SIM_PORT:-11435}"
  npx tsx sim/cli.ts --port "$sim_port" &
  sim_pid=$!
  trap '[ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null' EXIT INT TERM
  export OLLAMA_HOST="http://127.0.0.1:$sim_port"
  echo "No Ollama answers at $first_host: using the Ollama SIMULATOR at $OLLAMA_HOST."
  echo "Answers are simulated; every page says so. Start Ollama (ollama serve) and restart to use real models."
fi

echo "Starting on http://localhost:$PORT"
node scripts/serve.mjs -p "$PORT"
