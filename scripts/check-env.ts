/**
 * Validates the environment before anything starts; prints what is wrong and exits 1.
 * `--first-ollama-host` prints the first configured Ollama host (for the start script).
 */
import { ConfigError, parseEnv } from "../lib/config/env";

try {
  const e = parseEnv();
  if (process.argv.includes("--first-ollama-host")) console.log(e.ollamaHosts[0]);
  else console.log(`Configuration OK: ${e.mode === "embedded" ? `embedded database in ${e.pgliteDataDir}` : "Supabase mode"}.`);
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : String(e));
  process.exit(1);
}
