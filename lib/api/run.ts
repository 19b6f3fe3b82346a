import "server-only";
import type { Identity } from "@/lib/auth";
import type { Decision, RunEvent } from "@/lib/chat/events";
import { estimateMessagesTokens, type Tool } from "@/lib/ollama";
import { modelAvailability } from "@/lib/orchestrator/availability";
import { streamChat } from "@/lib/orchestrator/chat";
import { prepareChat } from "@/lib/orchestrator/prepare-chat";
import { maxContextTokens } from "@/lib/orchestrator/context";
import { fitsContext, sameModel, type AnswerLimits } from "@/lib/domain";
import { currentRoster } from "@/lib/roster/current";
import { ApiError } from "./errors";
import type { Turn } from "./turns";

/** The one model the APIs add: the orchestrator choosing among the roster. */
export const ELITE_MODEL = "elite";
/** A body larger than this is refused (413) before it is parsed. */
export const MAX_BODY_CHARS = 4_000_000;

/** The body as JSON: 413 past MAX_BODY_CHARS, 400 when it is not JSON. */
export async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > MAX_BODY_CHARS) {
    throw new ApiError("too_large:api", `The request body is too large (${text.length.toLocaleString("en")} characters; ${MAX_BODY_CHARS.toLocaleString("en")} at most).`, { apiCode: "request_too_large" });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("bad_request:api", "body: not valid JSON", { param: "body", apiCode: "invalid_json" });
  }
}

/** `elite` (or `elite:latest`) routes: undefined. A routed model's tag forces that model. Anything else: 404. */
export async function resolveModel(name: string): Promise<string | undefined> {
  if (sameModel(name, ELITE_MODEL)) return undefined;
  const models = (await currentRoster()).routed.map((r) => r.model);
  const tag = models.find((m) => sameModel(m, name));
  if (!tag) {
    throw new ApiError("not_found:api", `model "${name}" not found: use "${ELITE_MODEL}" or one of ${models.join(", ")}`, {
      param: "model",
      apiCode: "model_not_found",
    });
  }
  return tag;
}

/** The models listed by /api/tags and /v1/models: `elite` first, then the routed models' tags (the roster's, then those without a role). */
export async function listedModels(): Promise<{ name: string; role: string | null }[]> {
  const roster = await currentRoster();
  const models: { name: string; role: string | null }[] = [{ name: `${ELITE_MODEL}:latest`, role: null }];
  for (const { role, model: tag } of roster.routed) {
    const name = tag.includes(":") ? tag : `${tag}:latest`;
    if (!models.some((m) => m.name === name)) models.push({ name, role });
  }
  return models;
}

/**
 * 413 when the conversation cannot fit the largest context window among the roster's
 * installed models (or the forced model's own window). Unknown windows do not refuse.
 */
export async function assertFits(turns: Turn[], forcedModel: string | undefined): Promise<void> {
  const tokens = estimateMessagesTokens(turns);
  let window = 0;
  if (forcedModel) window = (await modelAvailability([forcedModel]).then((a) => a.contextLength(forcedModel)).catch(() => null)) ?? 0;
  else window = await maxContextTokens();
  if (!fitsContext(tokens, window)) {
    throw new ApiError(
      "too_large:api",
      `The prompt is too long: about ${tokens.toLocaleString("en")} tokens, and the largest context window ${forcedModel ? `of ${forcedModel} ` : "among the models "}is ${window.toLocaleString("en")} tokens.`,
      { param: "messages", apiCode: "context_length_exceeded" },
    );
  }
}

export interface ApiStream {
  interactionId: string;
  /** The model answering when the first token arrived (a later fallback can still change it). */
  model: string;
  decision: Decision;
  startedAt: number;
  firstTokenAt: number | null;
  /** The run's events from the first token (or the end) on; `start` is consumed. */
  events: AsyncGenerator<RunEvent>;
}

/**
 * Starts an answer through the orchestrator exactly as the chat does (recorded, learned
 * from, `source: "api"`) and waits for its first token, so that the status and the headers
 * can still say what happened: a run that fails before any token (Ollama down, every model
 * failed) becomes an ApiError (503) carrying the interaction id.
 */
export async function startApiRun(
  identity: Identity,
  input: { prompt: string; history: Turn[]; tail?: Turn[]; forcedModel?: string; tools?: Tool[]; format?: "json" | Record<string, unknown>; think?: boolean; limits?: AnswerLimits; continues?: string },
  signal: AbortSignal,
): Promise<ApiStream> {
  const startedAt = performance.now();
  const prepared = await prepareChat(identity, {
    conversationId: null,
    prompt: input.prompt,
    history: input.history,
    tail: input.tail,
    tools: input.tools,
    format: input.format,
    think: input.think,
    limits: input.limits,
    continues: input.continues,
    model: input.forcedModel,
    source: "api",
  });
  const gen = streamChat(prepared, signal);
  const head: RunEvent[] = [];
  let start: Extract<RunEvent, { type: "start" }> | null = null;
  let model = "";
  for (;;) {
    const r = await gen.next();
    if (r.done) break;
    const e = r.value;
    if (e.type === "start") {
      start = e;
      model = e.decision.model;
      continue;
    }
    head.push(e);
    if (e.type === "fallback") model = e.next.model;
    if (e.type === "token" || e.type === "tool_calls" || e.type === "done" || e.type === "error") break;
  }
  if (!start) throw new ApiError("internal:api", "The run ended before it started.");
  const last = head[head.length - 1];
  if (!last || last.type === "error") {
    const message = last?.message ?? "The answer was cancelled.";
    const decision = last?.decision ?? start.decision;
    const tooLong = decision.chain.length === 0 && decision.skipped.length > 0 && decision.skipped.every((s) => /exceeds its .*window/.test(s.reason));
    throw new ApiError(tooLong ? "too_large:api" : "unavailable:ollama", message, {
      apiCode: tooLong ? "context_length_exceeded" : last?.code === "all_failed" ? "all_models_failed" : "models_unavailable",
      interactionId: start.interactionId,
    });
  }
  async function* events(): AsyncGenerator<RunEvent> {
    yield* head;
    yield* gen;
  }
  return {
    interactionId: start.interactionId,
    model,
    decision: start.decision,
    startedAt,
    firstTokenAt: head.some((e) => e.type === "token" || e.type === "tool_calls") ? performance.now() : null,
    events: events(),
  };
}

/** What every API response says about the routing (the `elite` field). */
export function eliteMeta(interactionId: string, d: Decision) {
  return {
    interaction_id: interactionId,
    model: d.model,
    role: d.role,
    task_type: d.taskType,
    task_confidence: Math.round(d.confidence * 1000) / 1000,
    reason: d.reason,
    /** the learned routing pattern followed, when one was */
    pattern: d.pattern ? { id: d.pattern.id, scope: d.pattern.scope ?? null, closer_than: d.pattern.closerThan ?? null } : null,
    fallbacks: d.attempts.filter((a) => !a.ok).map((a) => ({ model: a.model, reason: a.reason })),
    /** the learned posterior mean of each candidate for this request (what routing weighed), when the router chose */
    means: d.means ? Object.fromEntries(Object.entries(d.means).map(([m, v]) => [m, Math.round(v * 1e6) / 1e6])) : null,
  };
}
export type EliteMeta = ReturnType<typeof eliteMeta>;

/** Milliseconds as Ollama reports durations: whole nanoseconds, never negative. */
export const nanoseconds = (ms: number) => Math.max(0, Math.round(ms * 1e6));

/** "stop", or "length" when the answer ended at the client's token limit or the answer that was kept had been cut at its own. */
export function doneReason(done: Extract<RunEvent, { type: "done" }>): "stop" | "length" {
  if (done.stoppedAtLimit) return "length";
  const last = done.decision.attempts[done.decision.attempts.length - 1];
  return last && !last.ok && last.reason === "truncated" ? "length" : "stop";
}

/** Shown in a stream when a model broke off after some of its text had been sent. */
export function fallbackNotice(e: Extract<RunEvent, { type: "fallback" }>): string {
  return `\n\n[elite: ${e.attempt.model} broke off (${e.attempt.reason}); ${e.next.model} answers from the start]\n\n`;
}

export function headersFor(interactionId: string, model: string): Record<string, string> {
  return { "x-elite-interaction-id": interactionId, "x-elite-model": model, "cache-control": "no-store" };
}

/** A ReadableStream whose writes after the client left are dropped, while the run goes on to be recorded. */
export function byteStream(produce: (write: (s: string) => void, end: () => void) => Promise<void>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let open = true;
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (s: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(s));
        } catch {
          open = false;
        }
      };
      /** Ends the body now; what produce does afterwards (learning from the answer) writes nothing. */
      const end = () => {
        if (!open) return;
        open = false;
        try {
          controller.close();
        } catch {
          /* the client went away */
        }
      };
      try {
        await produce(write, end);
      } finally {
        end();
      }
    },
    cancel() {
      open = false;
    },
  });
}
