import { openaiModels } from "@/lib/api/openai";

export const dynamic = "force-dynamic";

/** OpenAI-compatible model list: `elite` plus the roster's models (`Authorization: Bearer <key>`). */
export function GET(request: Request) {
  return openaiModels(request);
}
