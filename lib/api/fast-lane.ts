import "server-only";
import { ollamaEmbed, openaiEmbeddings } from "./embeddings";
import { ollamaChat, ollamaGenerate } from "./ollama";
import { openaiChat } from "./openai";
import { openaiCompletions } from "./openai-completions";

/**
 * The compatible endpoints editors and agents call most (autocomplete at keystroke rate,
 * chat, embeddings for indexing), offered to scripts/serve.mjs, the server `npm start` runs,
 * so it can answer them without Next.js's router, which costs every request 2–3 ms on a
 * small machine (more than the whole fill-in-the-middle path). They are the very handlers
 * the route files export and authenticate by key alone (no cookies, no Next.js request
 * context); their module state lives on globalThis, shared with the routes' copies.
 * Everything else goes through Next.js.
 */
export type LaneHandler = (request: Request) => Promise<Response>;

/** Where the lane is kept: the server process reads it from globalThis, outside Next.js's bundles. */
export const FAST_LANE = "__eliteFastLane";

export function openFastLane(): void {
  const lane: Record<string, LaneHandler> = {
    "POST /api/generate": ollamaGenerate,
    "POST /v1/completions": openaiCompletions,
    "POST /api/chat": ollamaChat,
    "POST /v1/chat/completions": openaiChat,
    "POST /api/embed": ollamaEmbed,
    "POST /v1/embeddings": openaiEmbeddings,
  };
  (globalThis as unknown as Record<string, unknown>)[FAST_LANE] = lane;
}
