import "server-only";
import { beginApiChat } from "./begin";
import { ApiError, openaiErrorResponse } from "./errors";
import { seconds, STREAM_FAILED, streamErrorChunk, usageOf } from "./openai";
import { openaiCompletionSchema } from "./schemas";
import { byteStream, doneReason, eliteMeta, fallbackNotice, headersFor, type ApiStream } from "./run";

/**
 * `POST /v1/completions` (OpenAI's legacy text completions): the prompt answered like a
 * one-turn chat, as `text_completion` objects (`choices[0].text`), streamed as SSE or whole.
 * Fill-in-the-middle (`suffix`) is refused with a 400 that says so, for now.
 */
export async function openaiCompletions(request: Request): Promise<Response> {
  try {
    const { body, run } = await beginApiChat(request, openaiCompletionSchema, (b) => [{ role: "user", content: typeof b.prompt === "string" ? b.prompt : b.prompt[0] }]);
    return body.stream ? streamed(run) : await whole(run);
  } catch (e) {
    return openaiErrorResponse(e);
  }
}

const completion = (id: string, model: string, text: string, finish: string | null, extra: Record<string, unknown> = {}) => ({
  id: `cmpl-${id}`,
  object: "text_completion",
  created: seconds(),
  model,
  choices: [{ index: 0, text, logprobs: null, finish_reason: finish }],
  ...extra,
});

async function whole(run: ApiStream): Promise<Response> {
  for await (const e of run.events) {
    if (e.type === "done") {
      const body = completion(e.interactionId, e.decision.model, e.response, doneReason(e.decision), { usage: usageOf(e), elite: eliteMeta(e.interactionId, e.decision) });
      return Response.json(body, { headers: headersFor(e.interactionId, e.decision.model) });
    }
    if (e.type === "error") return openaiErrorResponse(new ApiError("unavailable:ollama", e.message, { apiCode: "all_models_failed", interactionId: run.interactionId }));
  }
  return openaiErrorResponse(new ApiError("unavailable:ollama", "The answer was cancelled.", { interactionId: run.interactionId }));
}

function streamed(run: ApiStream): Response {
  const data = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
  const body = byteStream(async (write) => {
    let model = run.model;
    let sent = false;
    try {
      for await (const e of run.events) {
        if (e.type === "token") {
          write(data(completion(run.interactionId, model, e.text, null, sent ? {} : { elite: { ...eliteMeta(run.interactionId, run.decision), model } })));
          sent = true;
        } else if (e.type === "fallback") {
          model = e.next.model;
          if (sent) write(data(completion(run.interactionId, model, fallbackNotice(e), null)));
        } else if (e.type === "done") {
          write(data(completion(run.interactionId, e.decision.model, "", doneReason(e.decision), { usage: usageOf(e), elite: eliteMeta(e.interactionId, e.decision) })));
          write("data: [DONE]\n\n");
        } else if (e.type === "error") {
          write(data(streamErrorChunk(run, e)));
        }
      }
    } catch (err) {
      console.error("api stream failed", err);
      write(data(STREAM_FAILED));
    }
  });
  return new Response(body, { headers: { "content-type": "text/event-stream; charset=utf-8", ...headersFor(run.interactionId, run.model) } });
}
