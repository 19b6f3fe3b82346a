import "server-only";
import { authenticatedBody, startApiChat } from "./begin";
import { fillOpenAI } from "./fill";
import { ApiError, openaiErrorResponse } from "./errors";
import { sseResponse, textCompletion, usageOf } from "./openai";
import { openaiCompletionSchema, openaiLimits } from "./schemas";
import { doneReason, eliteMeta, headersFor, type ApiStream } from "./run";

/**
 * `POST /v1/completions` (OpenAI's legacy text completions): with `suffix`, an editor's
 * fill-in-the-middle on the fast path (lib/api/fill.ts); otherwise the prompt answered like a
 * one-turn chat. Either way as `text_completion` objects (`choices[0].text`), SSE or whole.
 */
export async function openaiCompletions(request: Request): Promise<Response> {
  try {
    const { identity, body } = await authenticatedBody(request, openaiCompletionSchema);
    if (body.suffix) return await fillOpenAI(identity, body, request.signal);
    const run = await startApiChat(identity, body, [{ role: "user", content: typeof body.prompt === "string" ? body.prompt : body.prompt[0] }], request.signal, { limits: openaiLimits(body) });
    return body.stream ? streamed(run) : await whole(run);
  } catch (e) {
    return openaiErrorResponse(e);
  }
}

const completion = textCompletion;

async function whole(run: ApiStream): Promise<Response> {
  for await (const e of run.events) {
    if (e.type === "done") {
      const body = completion(e.interactionId, e.decision.model, e.response, doneReason(e), { usage: usageOf(e), elite: eliteMeta(e.interactionId, e.decision) });
      return Response.json(body, { headers: headersFor(e.interactionId, e.decision.model) });
    }
    if (e.type === "error") return openaiErrorResponse(new ApiError("unavailable:ollama", e.message, { apiCode: "all_models_failed", interactionId: run.interactionId }));
  }
  return openaiErrorResponse(new ApiError("unavailable:ollama", "The answer was cancelled.", { interactionId: run.interactionId }));
}

function streamed(run: ApiStream): Response {
  return sseResponse(run, {
    token: (model, text, first) => [completion(run.interactionId, model, text, null, first ? { elite: { ...eliteMeta(run.interactionId, run.decision), model } } : {})],
    notice: (model, text) => completion(run.interactionId, model, text, null),
    done: (e) => [completion(run.interactionId, e.decision.model, "", doneReason(e), { usage: usageOf(e), elite: eliteMeta(e.interactionId, e.decision) })],
  });
}
