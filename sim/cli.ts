/**
 * `npm run sim`: a simulated Ollama on http://127.0.0.1:11435 (not 11434, so it never
 * clashes with a real Ollama). Flags (or env): --port (SIM_PORT), --host, --seed (SIM_SEED),
 * --time-scale (SIM_TIME_SCALE, default 1 = real-time profile speeds), --loaded model,
 * --fault model=fault[@rate] (repeatable; model `*` means all), e.g.
 *   npm run sim -- --time-scale 0.1 --fault wizardcoder=http500@0.3 --fault '*=slow:20'
 * Point the app at it with OLLAMA_HOST=http://127.0.0.1:11435.
 */
import { parseArgs } from "node:util";
import { parseRuleFlag } from "./faults";
import { startSimulator } from "./server";
import { wordVectors } from "./word-vectors";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    host: { type: "string" },
    seed: { type: "string" },
    "time-scale": { type: "string" },
    loaded: { type: "string", multiple: true },
    fault: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log(
    "usage: npm run sim -- [--port 11435] [--host 127.0.0.1] [--seed 1] [--time-scale 1] [--loaded openhermes] [--fault model=fault[@rate]]...\n" +
      "faults: refuse, timeout, http500, unknown_model, refusal, empty, cut:N, malformed:N, slow:MS",
  );
  process.exit(0);
}

function num(flag: string | undefined, envName: string, fallback: number): number {
  const raw = flag ?? process.env[envName];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`${envName.toLowerCase()}: expected a non-negative number, got "${raw}"`);
    process.exit(2);
  }
  return n;
}

try {
  wordVectors(); // the embedding stand-in's vectors (built into node_modules/.cache on the first start, ~5 s)
  const sim = await startSimulator({
    port: num(values.port, "SIM_PORT", 11435),
    host: values.host ?? "127.0.0.1",
    seed: num(values.seed, "SIM_SEED", 1),
    timeScale: num(values["time-scale"], "SIM_TIME_SCALE", 1),
    loaded: values.loaded,
    faults: (values.fault ?? []).map(parseRuleFlag),
  });
  console.log(`Simulated Ollama listening on ${sim.url} (set OLLAMA_HOST=${sim.url})`);
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (e) {
  console.error(`Could not start the simulator: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
