import { openaiCompletions } from "@/lib/api/openai-completions";

export const dynamic = "force-dynamic";

/** OpenAI-compatible legacy text completions (`Authorization: Bearer <key>`); see lib/api/openai-completions.ts. */
export function POST(request: Request) {
  return openaiCompletions(request);
}
