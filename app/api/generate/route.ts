import { ollamaGenerate } from "@/lib/api/ollama";

export const dynamic = "force-dynamic";

/** Ollama-compatible generate: a prompt answered like a one-turn chat (`Authorization: Bearer <key>`); see lib/api/ollama.ts. */
export function POST(request: Request) {
  return ollamaGenerate(request);
}
