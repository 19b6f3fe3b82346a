import { ollamaPs } from "@/lib/api/models";

export const dynamic = "force-dynamic";

/** Ollama-compatible list of the models loaded now (`Authorization: Bearer <key>`). */
export function GET(request: Request) {
  return ollamaPs(request);
}
