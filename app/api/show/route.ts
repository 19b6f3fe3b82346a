import { ollamaShow } from "@/lib/api/models";

export const dynamic = "force-dynamic";

/** Ollama-compatible model details for `elite` or a roster tag (`Authorization: Bearer <key>`); see lib/api/models.ts. */
export function POST(request: Request) {
  return ollamaShow(request);
}
