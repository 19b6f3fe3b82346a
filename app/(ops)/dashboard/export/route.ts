import { getIdentity } from "@/lib/auth";
import { withUser } from "@/lib/db";
import { toAppError, AppError } from "@/lib/errors";
import { parseFilters } from "@/lib/analytics/filters";
import { authoriseExport, exportFilename, exportFormatSchema, exportStream } from "@/lib/analytics/export";

/** GET /dashboard/export?format=csv|jsonl&range=&model=&task= — interactions with their feedback, streamed. */
export async function GET(request: Request): Promise<Response> {
  try {
    const identity = await getIdentity();
    authoriseExport(identity);
    const params = new URL(request.url).searchParams;
    const format = exportFormatSchema.safeParse(params.get("format") ?? "csv");
    if (!format.success) throw new AppError("bad_request:input", 'format: "csv" or "jsonl".');
    const filters = parseFilters(params);
    const now = Date.now();
    const stream = exportStream({ run: (fn) => withUser(identity!.claims, fn), filters, format: format.data, now });
    return new Response(stream, {
      headers: {
        "content-type": format.data === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
        "content-disposition": `attachment; filename="${exportFilename(filters, format.data, now)}"`,
        "cache-control": "no-store",
      },
    });
  } catch (e) {
    return toAppError(e).toResponse();
  }
}
