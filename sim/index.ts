/**
 * A simulated Ollama host for tests, benchmarks and the demo: it speaks Ollama's HTTP API as
 * the official `ollama` client sees it, with per-model profiles and injectable faults.
 * See README.md in this folder.
 */
export { startSimulator, parseKeepAlive, type Simulator, type SimulatorOptions, type SimStats } from "./server";
export { simEmbed, cosine } from "./embed";
export { classifyPrompt, guessLanguage, REFUSAL } from "./answers";
export { parseFault, type Fault, type FaultRule } from "./faults";
export { TASK_TYPES, normalizeModelName, profilesPath, type TaskType } from "./models";
