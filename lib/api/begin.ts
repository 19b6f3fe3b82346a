import "server-only";
import type { z } from "zod";
import type { Identity } from "@/lib/auth";
import { identityFromRequest } from "./keys";
import { ApiError } from "./errors";
import { describeIssue, splitTurns, type Turn } from "./schemas";
import { assertFits, readJson, resolveModel, startApiRun, type ApiStream } from "./run";

/**
 * The steps both compatible APIs take before answering: authenticate the key, validate the
 * body (naming the bad field), split the turns into history and prompt, resolve `elite` or
 * a roster model, check the prompt fits, then start the run under the key's user.
 */
export async function beginApiChat<T extends { model: string }>(
  request: Request,
  schema: z.ZodType<T>,
  turnsOf: (body: T) => Turn[],
): Promise<{ body: T; run: ApiStream }> {
  const { identity, body } = await authenticatedBody(request, schema);
  return { body, run: await startApiChat(identity, body, turnsOf(body), request.signal) };
}

/** The key's identity and the validated body (401, 413, 400 naming the field). */
export async function authenticatedBody<T>(request: Request, schema: z.ZodType<T>): Promise<{ identity: Identity; body: T }> {
  const identity = await identityFromRequest(request);
  const parsed = schema.safeParse(await readJson(request));
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error);
    throw new ApiError("bad_request:api", message, { param: field });
  }
  return { identity, body: parsed.data };
}

/** From a validated body on: the turns split, the model resolved, the fit checked, the run started. */
export async function startApiChat(identity: Identity, body: { model: string }, turns: Turn[], signal: AbortSignal): Promise<ApiStream> {
  const split = splitTurns(turns);
  if ("error" in split) throw new ApiError("bad_request:api", split.error.message, { param: split.error.field });
  const forced = await resolveModel(body.model);
  await assertFits([...split.history, { role: "user", content: split.prompt }], forced);
  return startApiRun(identity, { prompt: split.prompt, history: split.history, forcedModel: forced }, signal);
}
