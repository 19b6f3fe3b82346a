import { requireOperator } from "@/lib/auth";
import { toAppError } from "@/lib/errors";
import { runAnalysis } from "@/lib/learning/director";
import { ndjsonResponse } from "@/lib/ndjson";

export const dynamic = "force-dynamic";

/**
 * Starts a Learning Director analysis run and streams its progress as NDJSON:
 * `{"type":"progress","stage","progress"}` lines, then `{"type":"done","summary"}` or
 * `{"type":"error","message"}`. Operators only.
 */
export async function POST(request: Request) {
  try {
    const identity = await requireOperator();
    return ndjsonResponse(
      async (send) => {
        const summary = await runAnalysis({ actorId: identity.userId, signal: request.signal, onProgress: (p) => send({ type: "progress", ...p }) });
        send({ type: "done", summary });
      },
      (e) => ({ type: "error", message: toAppError(e).toJSON().message }),
    );
  } catch (e) {
    return toAppError(e).toResponse();
  }
}
