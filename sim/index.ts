/**
 * A simulated Ollama host for tests, benchmarks and the demo: it speaks Ollama's HTTP API as
 * the official `ollama` client sees it, with per-model profiles and injectable faults.
 * See README.md in this folder.
 *
 * Independent of lib/ on purpose (a dependency rule keeps it so): it stands in for models the
 * app learns about, so it must not know what the app knows. Its own task-type list, seeded
 * random numbers, cosine and keyword classifier repeat a few lines of lib/ deliberately; a
 * figure the app reaches because the simulator shares its code would not be a result.
 */
export { startSimulator, type Simulator, type SimulatorOptions } from "./server";
export type { SimStats } from "./state";
export { parseKeepAlive } from "./keep-alive";
export { simEmbed, cosine } from "./embed";
export { classifyPrompt, guessLanguage, REFUSAL } from "./answers";
export { parseFault, type Fault, type FaultRule } from "./faults";
export { TASK_TYPES, normalizeModelName, profilesPath, type TaskType } from "./models";
