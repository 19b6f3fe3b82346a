import { openaiEmbeddings } from "@/lib/api/embeddings";

export const dynamic = "force-dynamic";

/** OpenAI-compatible embeddings through the roster's embedding model; see lib/api/embeddings.ts. */
export function POST(request: Request) {
  return openaiEmbeddings(request);
}
