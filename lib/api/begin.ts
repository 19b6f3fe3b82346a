import "server-only";
import type { z } from "zod";
import type { Identity } from "@/lib/auth";
import { identityFromRequest } from "./keys";
import { ApiError } from "./errors";
import { describeIssue } from "./schemas";
import { splitTurns, TurnError, type Turn } from "./turns";
import type { Tool } from "@/lib/ollama";

/** What a client may ask of the answer besides its messages: tools to call, structured output, thinking, limits. */
export interface RunExtras {
  tools?: Tool[];
  format?: "json" | Record<string, unknown>;
  think?: boolean;
  limits?: AnswerLimits;
  /** the interaction whose tool calls an agent's loop sends back answered (lib/api/tool-call-id.ts) */
  continues?: string;
}
import { sameModel, type AnswerLimits } from "@/lib/domain";
import { routedModelsWith } from "@/lib/orchestrator/capabilities";
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
  extrasOf: (body: T) => RunExtras = () => ({}),
): Promise<{ body: T; run: ApiStream }> {
  const { identity, body } = await authenticatedBody(request, schema);
  let turns: Turn[];
  try {
    turns = turnsOf(body);
  } catch (e) {
    if (e instanceof TurnError) throw new ApiError("bad_request:api", e.message, { param: e.field });
    throw e;
  }
  return { body, run: await startApiChat(identity, body, turns, request.signal, extrasOf(body)) };
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

/**
 * From a validated body on: the turns split, the model resolved (with tools: one that
 * supports them, or 400 saying which do), the fit checked, the run started.
 */
export async function startApiChat(identity: Identity, body: { model: string }, turns: Turn[], signal: AbortSignal, extras: RunExtras = {}): Promise<ApiStream> {
  const tools = extras.tools?.length ? extras.tools : undefined;
  const split = splitTurns(turns);
  if ("error" in split) throw new ApiError("bad_request:api", split.error.message, { param: split.error.field });
  const forced = await resolveModel(body.model);
  if (tools?.length) await assertToolsSupported(forced);
  await assertFits([...split.history, { role: "user", content: split.prompt }, ...split.tail], forced);
  return startApiRun(identity, { prompt: split.prompt, history: split.history, tail: split.tail, forcedModel: forced, tools, format: extras.format, think: extras.think, limits: extras.limits, continues: extras.continues }, signal);
}

async function assertToolsSupported(forced: string | undefined): Promise<void> {
  const capable = await routedModelsWith("tools");
  if (forced ? capable.some((c) => sameModel(c.model, forced)) : capable.length > 0) return;
  const which = capable.length ? `; these do: ${capable.map((c) => c.model).join(", ")}` : "; add one (e.g. qwen2.5-coder, llama3.1, mistral) on Settings → Roster";
  throw new ApiError("bad_request:api", `tools: ${forced ? `${forced} does not` : "no model of the roster does"} support tools (Ollama's "tools" capability)${which}.`, { param: "tools", apiCode: "tools_not_supported" });
}
