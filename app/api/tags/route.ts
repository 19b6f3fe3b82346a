import { ollamaTags } from "@/lib/api/ollama";

export const dynamic = "force-dynamic";

/** Ollama-compatible model list: `elite` plus the roster's models (`Authorization: Bearer <key>`). */
export function GET(request: Request) {
  return ollamaTags(request);
}
