import "server-only";
import { autoChecks, defaultModelChain, rewardFrom, sameModel } from "@/lib/domain";
import { getOllamaPool, isOllamaError, type ChatResult, type ModelOptions } from "@/lib/ollama";
import { decideRoute } from "@/lib/learning/route-decision";
import { seededRng } from "@/lib/learning/random";
import { learningState } from "@/lib/learning/store";
import { currentRoster } from "@/lib/roster/current";
import { modelAvailability } from "./availability";
import { routedModelsWith } from "./capabilities";
import { logCompletion } from "./completion-log";

/**
 * Editors' completions (fill-in-the-middle and raw completions) on a fast path: no
 * classification (the endpoint says it is a `completion`), no embedding, no knowledge, no
 * router model, no database before the model is called. The route is the learned policy's
 * among the roster models that can fill in the middle (Ollama's `insert` capability, which it
 * reports for models whose template has `.Suffix`); the roster, the capabilities, the learning
 * state and the API key all come from memory. The outcome is logged in a batch afterwards
 * (completion-log.ts); a cancelled completion costs nothing further.
 */

export class FillError extends Error {
  constructor(
    readonly kind: "unsupported" | "unavailable",
    message: string,
  ) {
    super(message);
  }
}

export interface FillRequest {
  userId: string;
  /** a roster tag the client named; undefined: route */
  model?: string;
  prompt: string;
  /** the text after the cursor ("" for a plain completion) */
  suffix: string;
  system?: string;
  raw?: boolean;
  options?: ModelOptions;
  keepAlive?: string | number;
  signal: AbortSignal;
}

export type FillChunk = { type: "model"; model: string } | { type: "text"; text: string } | { type: "done"; result: ChatResult };

const rng = seededRng((Date.now() ^ (Math.random() * 2 ** 31)) >>> 0);

/** Which models to try, in order: the named one, or the learned policy's among the capable. */
export async function planFill(forced: string | undefined, needsInsert: boolean): Promise<string[]> {
  const roster = await currentRoster();
  const capable = needsInsert ? await routedModelsWith("insert") : roster.routed;
  if (forced) {
    if (needsInsert && !capable.some((c) => sameModel(c.model, forced))) {
      throw new FillError("unsupported", `${forced} does not support fill-in-the-middle (Ollama reports no "insert" capability for it): send the text after the cursor to a model that does${capable.length ? `, e.g. ${capable.map((c) => c.model).join(", ")},` : ""} or use "elite"`);
    }
    return [forced];
  }
  if (capable.length === 0) {
    throw new FillError("unsupported", "No model in the roster supports fill-in-the-middle (Ollama's \"insert\" capability: a template with .Suffix, as qwen2.5-coder, codellama:code or starcoder2 have). Add one in Settings → Roster.");
  }
  const availability = await modelAvailability([]);
  const state = await learningState();
  const route = decideRoute({
    taskType: "completion",
    candidates: capable.map((c) => ({ model: c.model, role: c.role, loaded: availability.loaded(c.model), available: availability.has(c.model) })),
    policy: state.policy,
    fallback: state.fallback,
    priorsChain: defaultModelChain("completion", roster.roles),
    rng,
    now: Date.now(),
    same: sameModel,
  });
  if (route.order.length === 0) throw new FillError("unavailable", "No model that can fill in the middle is installed on a host that answers: is Ollama running?");
  return route.order;
}

/**
 * Streams the completion from the first model that answers (a model that fails before its
 * first token hands over to the next; one that breaks off mid-way ends the completion: an
 * editor asks again at the next keystroke anyway).
 */
export async function* streamFill(req: FillRequest, order: readonly string[]): AsyncGenerator<FillChunk> {
  const pool = getOllamaPool();
  const startedAt = performance.now();
  let lastError: unknown = null;
  for (const model of order) {
    let text = "";
    let first: number | null = null;
    try {
      for await (const chunk of pool.generateStream({
        model, prompt: req.prompt, suffix: req.suffix || undefined, system: req.system, raw: req.raw,
        options: req.options, keepAlive: req.keepAlive, signal: req.signal,
      })) {
        if (first === null) {
          first = performance.now();
          yield { type: "model", model };
        }
        if (chunk.type === "delta") {
          text += chunk.content;
          if (chunk.content) yield { type: "text", text: chunk.content };
        } else {
          log(req, model, "completed", text, startedAt, first, chunk.result, null);
          yield { type: "done", result: chunk.result };
          return;
        }
      }
    } catch (e) {
      if (req.signal.aborted) return; // the editor moved on: nothing to record
      lastError = e;
      const code = isOllamaError(e) ? e.code : "error";
      log(req, model, "failed", text, startedAt, first, null, { code, message: e instanceof Error ? e.message : String(e) });
      if (first !== null) throw e; // text already went out: the completion ends here
    }
  }
  throw lastError ?? new FillError("unavailable", "No model answered.");
}

function log(req: FillRequest, model: string, status: "completed" | "failed", text: string, startedAt: number, first: number | null, result: ChatResult | null, error: { code: string; message: string } | null) {
  const r = status === "completed" ? rewardFrom({ auto: autoChecks("completion", text, null) }) : { reward: 0, success: false };
  logCompletion({
    user_id: req.userId,
    model,
    status,
    prompt_chars: req.prompt.length,
    suffix_chars: req.suffix.length,
    response: text,
    ttft_ms: first === null ? null : first - startedAt,
    response_time: performance.now() - startedAt,
    prompt_tokens: result?.promptEvalCount ?? null,
    completion_tokens: result?.evalCount ?? null,
    error,
    reward: r.reward,
    success: r.success,
  });
}
