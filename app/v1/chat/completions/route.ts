import { openaiChat } from "@/lib/api/openai";

export const dynamic = "force-dynamic";

/** OpenAI-compatible chat completions (`Authorization: Bearer <key>`); see lib/api/openai.ts. */
export function POST(request: Request) {
  return openaiChat(request);
}
