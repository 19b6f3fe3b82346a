import { requireOperator } from "@/lib/auth";
import { toAppError } from "@/lib/errors";
import { documentViews } from "@/lib/knowledge/documents";

/** The documents with their ingestion progress (the upload page polls this). */
export async function GET() {
  try {
    const identity = await requireOperator();
    return Response.json({ documents: await documentViews(identity) }, { headers: { "cache-control": "no-store" } });
  } catch (e) {
    return toAppError(e).toResponse();
  }
}
