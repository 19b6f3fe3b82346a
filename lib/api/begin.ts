import "server-only";
import type { z } from "zod";
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
  const identity = await identityFromRequest(request);
  const parsed = schema.safeParse(await readJson(request));
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error);
    throw new ApiError("bad_request:api", message, { param: field });
  }
  const split = splitTurns(turnsOf(parsed.data));
  if ("error" in split) throw new ApiError("bad_request:api", split.error.message, { param: split.error.field });
  const forced = await resolveModel(parsed.data.model);
  await assertFits([...split.history, { role: "user", content: split.prompt }], forced);
  const run = await startApiRun(identity, { prompt: split.prompt, history: split.history, forcedModel: forced }, request.signal);
  return { body: parsed.data, run };
}
