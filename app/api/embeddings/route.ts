import { ollamaEmbeddingsLegacy } from "@/lib/api/embeddings";

export const dynamic = "force-dynamic";

/** Ollama's legacy embeddings endpoint (`prompt` → `embedding`); see lib/api/embeddings.ts. */
export function POST(request: Request) {
  return ollamaEmbeddingsLegacy(request);
}
