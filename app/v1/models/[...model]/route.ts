import { openaiModel } from "@/lib/api/openai";

export const dynamic = "force-dynamic";

/** A path segment as text: decoded when it is percent-encoded, as it came when it is not valid encoding. */
function segment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** OpenAI-compatible: one model of `/v1/models` (`Authorization: Bearer <key>`), or 404. A tag may hold slashes (hf.co/…). */
export async function GET(request: Request, { params }: { params: Promise<{ model: string[] }> }) {
  return openaiModel(request, (await params).model.map(segment).join("/"));
}
