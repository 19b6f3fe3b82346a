import { requireUser } from "@/lib/auth";
import { AppError, toAppError } from "@/lib/errors";
import { streamChat } from "@/lib/orchestrator/chat";
import { prepareChat } from "@/lib/orchestrator/prepare-chat";
import { ndjsonResponse } from "@/lib/ndjson";
import { sendMessageSchema } from "../../schema";

export const dynamic = "force-dynamic";

/**
 * Sends a message (or regenerates an answer) and streams the answer as NDJSON events
 * (lib/chat/events.ts). Authenticate, validate, authorise (the conversation must be the
 * caller's), then act. Errors before the first byte are JSON with a status; after it, an
 * `error` event — and the interaction is recorded with its outcome either way.
 */
export async function POST(request: Request) {
  try {
    const identity = await requireUser();
    const body = await request.json().catch(() => {
      throw new AppError("bad_request:input", "The request body must be JSON.");
    });
    const parsed = sendMessageSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError("bad_request:input", `${issue.path.join(".") || "body"}: ${issue.message}`);
    }
    const prepared = await prepareChat(identity, parsed.data);
    return ndjsonResponse(
      async (send) => {
        for await (const event of streamChat(prepared, request.signal)) send(event);
      },
      (e) => {
        const err = toAppError(e);
        return { type: "error", code: err.code, message: err.toJSON().message, interactionId: null, decision: null };
      },
    );
  } catch (e) {
    return toAppError(e).toResponse();
  }
}
