import { ollamaEmbed } from "@/lib/api/embeddings";

export const dynamic = "force-dynamic";

/** Ollama-compatible embeddings through the roster's embedding model; see lib/api/embeddings.ts. */
export function POST(request: Request) {
  return ollamaEmbed(request);
}
