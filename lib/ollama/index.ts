/**
 * The Ollama layer: a pool of hosts over the official `ollama` client. Server-side only by
 * use (it talks to Ollama over HTTP), but free of `server-only` so scripts and tests can use it.
 */
import { env } from "@/lib/config/env";
import { OllamaPool } from "./pool";

export { DEFAULT_TIMEOUTS, OllamaPool } from "./pool";
export { estimateTokens, estimateMessagesTokens } from "./tokens";
export * from "./errors";
export type * from "./types";

const g = globalThis as unknown as { __eliteOllamaPool?: OllamaPool };

/**
 * The process-wide pool for the hosts in OLLAMA_HOST (comma-separated). Kept on globalThis
 * because Next compiles routes, actions and instrumentation into separate module graphs.
 */
export function getOllamaPool(): OllamaPool {
  g.__eliteOllamaPool ??= new OllamaPool({ hosts: env().ollamaHosts });
  return g.__eliteOllamaPool;
}
