/**
 * A request's embedding is written after its answer has ended, behind what waiting requests
 * need (lib/orchestrator/chat.ts): feedback given the moment the answer ends must not find it
 * missing, or "this model would have been better" would teach nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityOf, startOrchestrator } from "../support/orchestrator";
import { prepareChat } from "../../lib/orchestrator/prepare-chat";
import { streamChat } from "../../lib/orchestrator/chat";
import type { RunEvent } from "../../lib/chat/events";
import { USER_A } from "../support/db";
import { learnFromFeedback } from "../../lib/learning/feedback";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";
import type { Database } from "../../lib/db/types";

let env: Awaited<ReturnType<typeof startOrchestrator>>;
const alice = identityOf(USER_A);
beforeAll(async () => {
  env = await startOrchestrator();
});
afterAll(() => env.close());

/** Holds back the next write of a request's embedding until released, as a busy embedded database would. */
function holdEmbeddingWrite(db: Database) {
  const original = db.query;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  db.query = (async (sql: string, params?: unknown[]) => {
    if (!held && /insert into private\.request_embeddings/.test(sql)) {
      held = true;
      await released;
    }
    return original.call(db, sql, params);
  }) as Database["query"];
  return {
    isHeld: () => held,
    release() {
      db.query = original;
      release();
    },
  };
}

describe("a request's embedding, written after its answer", () => {
  it("is waited for by feedback given the moment the answer ends: the routing pattern is still taught", async () => {
    const hold = holdEmbeddingWrite(env.db);
    try {
      // Read as a client reads it: up to the answer's end (a run read to its end waits for its learning).
      const prepared = await prepareChat(alice, { conversationId: null, prompt: "Write an efficient algorithm to compute the number of ways to climb n stairs, and prove its complexity." });
      let done: Extract<RunEvent, { type: "done" }> | undefined;
      for await (const e of streamChat(prepared, new AbortController().signal)) {
        if (e.type !== "done") continue;
        done = e;
        break;
      }
      expect(done).toBeDefined();
      expect(hold.isHeld()).toBe(true); // the answer has ended; its embedding is not written yet
      const better = done!.decision.model === DEFAULT_ROLE_MODELS.math ? DEFAULT_ROLE_MODELS.architect : DEFAULT_ROLE_MODELS.math;
      const feedback = learnFromFeedback(alice, { interactionId: done!.interactionId, betterModel: better });
      // The feedback is saved while the embedding is still held back; only then is it written.
      const saved = async () =>
        (await env.db.query<{ b: string | null }>("select feedback ->> 'betterModel' as b from interactions where id = $1", [done!.interactionId])).rows[0]?.b === better;
      while (!(await saved())) await new Promise((r) => setTimeout(r, 5));
      hold.release();
      expect((await feedback).message).toContain(`similar requests will now go to ${better}`);
      const { rows } = await env.db.query<{ model_name: string }>("select model_name from learning_patterns where pattern_type = 'routing'");
      expect(rows.map((r) => r.model_name)).toEqual([better]);
    } finally {
      hold.release();
    }
  });
});
