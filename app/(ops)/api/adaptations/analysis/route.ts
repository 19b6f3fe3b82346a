import { requireOperator } from "@/lib/auth";
import { toAppError } from "@/lib/errors";
import { runAnalysis } from "@/lib/learning/director";

export const dynamic = "force-dynamic";

/**
 * Starts a Learning Director analysis run and streams its progress as NDJSON:
 * `{"type":"progress","stage","progress"}` lines, then `{"type":"done","summary"}` or
 * `{"type":"error","message"}`. Operators only.
 */
export async function POST(request: Request) {
  try {
    const identity = await requireOperator();
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (event: unknown) => {
          try {
            controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
          } catch {
            /* the client went away; the run goes on */
          }
        };
        try {
          const summary = await runAnalysis({ actorId: identity.userId, signal: request.signal, onProgress: (p) => send({ type: "progress", ...p }) });
          send({ type: "done", summary });
        } catch (e) {
          send({ type: "error", message: toAppError(e).toJSON().message });
        } finally {
          try {
            controller.close();
          } catch {
            /* already closed */
          }
        }
      },
    });
    return new Response(stream, { headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" } });
  } catch (e) {
    return toAppError(e).toResponse();
  }
}
