import { ollamaChat } from "@/lib/api/ollama";

export const dynamic = "force-dynamic";

/** Ollama-compatible chat (`Authorization: Bearer <key>`); see lib/api/ollama.ts. */
export function POST(request: Request) {
  return ollamaChat(request);
}
