import { createTestDb, userClaims } from "./db";
import { startSimulator, type Simulator, type SimulatorOptions } from "../../sim";
import { useDatabase } from "../../lib/db";
import { OllamaPool } from "../../lib/ollama";
import type { PoolOptions } from "../../lib/ollama/types";
import { resetLearningCache } from "../../lib/learning/store";
import { resetPatternCache } from "../../lib/learning/pattern-cache";
import { invalidateRosterCache } from "../../lib/roster/current";
import { invalidateAvailability } from "../../lib/orchestrator/availability";
import { invalidateConfigCache } from "../../lib/learning/active-config";
import type { Identity } from "../../lib/auth";
import type { Decision, RunEvent } from "../../lib/chat/events";
import type { Database } from "../../lib/db/types";
import { streamChat } from "../../lib/orchestrator/chat";
import { prepareChat } from "../../lib/orchestrator/prepare-chat";
import { settledLearning } from "../../lib/orchestrator/learn";
import type { Rng } from "../../lib/learning/random";

/** The orchestrator on a fresh migrated database and the Ollama simulator, through the real pool. */
export async function startOrchestrator(sim: SimulatorOptions = {}, pool: Partial<PoolOptions> = {}) {
  const db = await createTestDb();
  useDatabase(db);
  const simulator: Simulator = await startSimulator({ port: 0, seed: 11, timeScale: 0, ...sim });
  (globalThis as unknown as { __eliteOllamaPool?: OllamaPool }).__eliteOllamaPool = new OllamaPool({
    hosts: [simulator.url],
    timeouts: { firstTokenMs: 2000, totalMs: 10_000 },
    // Host cool-down has its own tests (ollama-pool); here model failures must not take the only host out.
    cooldown: { failuresPerMinute: 100, cooldownMs: 1000 },
    ...pool,
  });
  resetLearningCache();
  resetPatternCache();
  invalidateRosterCache();
  invalidateAvailability();
  invalidateConfigCache();
  return {
    db,
    sim: simulator,
    async close() {
      // What answers still teach in the background ends before its database does.
      await settledLearning().catch(() => undefined);
      await simulator.close();
      await db.close();
    },
  };
}

export function identityOf(sub: string, operator = false): Identity {
  const claims = userClaims(sub, { operator });
  return { userId: sub, email: claims.email, claims, isOperator: operator, source: "supabase" };
}

/** Sends a message as a user and collects the streamed events. */
export async function ask(
  identity: Identity,
  input: { conversationId?: string | null; prompt: string; regenerateOf?: string; model?: string },
  signal: AbortSignal = new AbortController().signal,
  opts: { rng?: Rng } = {},
) {
  const prepared = await prepareChat(identity, { conversationId: input.conversationId ?? null, prompt: input.prompt, regenerateOf: input.regenerateOf, model: input.model });
  const events: RunEvent[] = [];
  for await (const e of streamChat(prepared, signal, opts)) events.push(e);
  const start = events.find((e) => e.type === "start") as Extract<RunEvent, { type: "start" }>;
  const end = events.find((e) => e.type === "done" || e.type === "error") as Extract<RunEvent, { type: "done" | "error" }> | undefined;
  const text = events.filter((e) => e.type === "token").map((e) => (e as { text: string }).text).join("");
  return { events, start, end, text, interactionId: start.interactionId, conversationId: start.conversationId };
}

/** An interaction as stored: what it recorded of the answer and what was said about it. */
export async function storedInteraction(db: Database, id: string) {
  const { rows } = await db.query<{ status: string; model_used: string; response: string; routing_decision: Decision; task_type: string; feedback: Record<string, unknown>; success_rating: number | null; response_time: number }>(
    "select status, model_used, response, routing_decision, task_type, feedback, success_rating, response_time from interactions where id = $1",
    [id],
  );
  return rows[0];
}
