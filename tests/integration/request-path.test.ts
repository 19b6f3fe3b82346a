import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startOrchestrator, ask, identityOf } from "../support/orchestrator";
import { streamChat } from "../../lib/orchestrator/chat";
import { prepareChat } from "../../lib/orchestrator/prepare-chat";
import type { OllamaPool } from "../../lib/ollama";
import type { Database } from "../../lib/db/types";
import { settledLearning } from "../../lib/orchestrator/learn";
import { flushRateCounts } from "../../lib/auth/rate-counter";
import { CHANGES_CHANNEL } from "../../lib/db/changes";

/**
 * What a chat waits for before its request goes to the model, with the rate limits on as they
 * are by default: every database statement is held until the model has been called, and the
 * request must get there anyway. A named model waits for no statement; `elite` for one, the
 * search of the nearest past requests its routing reads. (Recording the interaction runs
 * alongside the model call: its statement is among the held ones.)
 */
process.env.RATE_LIMIT_CHAT_PER_MINUTE = "1000"; // read when the environment is first parsed, below

let env: Awaited<ReturnType<typeof startOrchestrator>>;
beforeAll(async () => {
  env = await startOrchestrator();
});
afterAll(async () => {
  await flushRateCounts(); // before the database closes
  await env.close();
});

const me = identityOf("00000000-0000-4000-8000-0000000000c1");
type Answer = { interactionId: string; end?: { type: string } };
const PROMPT = "Write a Python function that reverses a string";

/** Holds every statement except those `pass` lets through, until released; records what was held. */
function holdStatements(db: Database, pass: (sql: string) => boolean) {
  const held: { sql: string; go: () => void }[] = [];
  const passed: string[] = [];
  const gate = async (sql: string) => {
    if (pass(sql)) passed.push(sql);
    else await new Promise<void>((go) => held.push({ sql, go }));
  };
  const original = { query: db.query, exec: db.exec, transaction: db.transaction };
  const urgent = db.urgent;
  const originalUrgent = { query: urgent.query, exec: urgent.exec };
  db.query = (async (sql: string, params?: unknown[]) => (await gate(sql), original.query.call(db, sql, params))) as Database["query"];
  db.exec = async (sql: string) => (await gate(sql), original.exec.call(db, sql));
  db.transaction = (async (fn: Parameters<Database["transaction"]>[0]) => (await gate("BEGIN"), original.transaction.call(db, fn))) as Database["transaction"];
  // The statements a waiting request needs (Database.urgent) are held alike.
  urgent.query = (async (sql: string, params?: unknown[]) => (await gate(sql), originalUrgent.query.call(urgent, sql, params))) as Database["query"];
  urgent.exec = async (sql: string) => (await gate(sql), originalUrgent.exec.call(urgent, sql));
  return {
    held,
    passed,
    release() {
      Object.assign(db, original);
      Object.assign(urgent, originalUrgent);
      for (const h of held.splice(0)) h.go();
    },
  };
}

/** Resolves when the pool is first asked for a chat stream. */
function modelCalled(): { called: () => boolean; restore: () => void } {
  const pool = (globalThis as unknown as { __eliteOllamaPool: OllamaPool }).__eliteOllamaPool;
  let called = false;
  const original = pool.chatStream;
  pool.chatStream = (req) => {
    called = true;
    return original.call(pool, req);
  };
  return { called: () => called, restore: () => void (pool.chatStream = original) };
}

/**
 * Waits until this process has heard every change announced before now: a marker sent on the
 * changes channel comes back after them (one listening connection, in commit order). The
 * set-up's invalidations (roster, configuration) are announced to every instance, this one
 * included, and on a busy server the notification can arrive late: after the warm-up, it
 * would make the measured request read the roster again (a held BEGIN), as a real change would.
 */
async function changesHeard(): Promise<void> {
  const marker = `request-path marker ${Math.random()}`; // not JSON: the app's caches ignore it
  let heard!: () => void;
  const back = new Promise<void>((resolve) => (heard = resolve));
  const stop = await env.db.listen(CHANGES_CHANNEL, (payload) => payload === marker && heard());
  try {
    await env.db.query("select pg_notify($1, $2)", [CHANGES_CHANNEL, marker]);
    await back;
  } finally {
    await stop();
  }
}

/** Keeps clear of a rate-limit window's end (by `margin` ms): a new window's first hit is counted in the database. */
async function awayFromWindowEnd(margin = 3000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < margin) await new Promise((r) => setTimeout(r, left + 50));
}

async function measure(
  model: string | undefined,
  pass: (sql: string) => boolean,
  send: () => Promise<Answer> = () => ask(me, { prompt: PROMPT, model }),
  { beforeHold }: { beforeHold?: () => void } = {},
) {
  await awayFromWindowEnd();
  await changesHeard(); // no earlier change can empty a cache after the warm-up
  await ask(me, { prompt: PROMPT, model }); // warm: caches filled, this window's first hit counted
  await settledLearning();
  beforeHold?.();
  const hold = holdStatements(env.db, pass);
  const model_ = modelCalled();
  const answer = send();
  const reached = await vi.waitFor(() => expect(model_.called()).toBe(true), { timeout: 20_000, interval: 5 }).then(
    () => null,
    (e: unknown) => e,
  );
  model_.restore();
  const heldAtCall = hold.held.map((h) => h.sql);
  const passedAtCall = [...hold.passed];
  hold.release();
  const done = await answer;
  if (reached) throw new Error(`the model was not called while these statements were held: ${JSON.stringify(heldAtCall.map((s) => s.slice(0, 80)))}`);
  return { heldAtCall, passedAtCall, done };
}

describe("the request path", () => {
  it("reaches a named model without waiting for any database statement, rate limits on", async () => {
    const { heldAtCall, passedAtCall, done } = await measure("codellama:7b-instruct", () => false);
    expect(passedAtCall).toEqual([]);
    // The interaction is being recorded alongside the model call, not before it.
    expect(heldAtCall.some((sql) => /insert into interactions/.test(sql))).toBe(true);
    expect(done.end?.type).toBe("done");
    const { rows } = await env.db.query<{ status: string }>("select status from interactions where id = $1", [done.interactionId]);
    expect(rows[0]?.status).toBe("completed");
  });

  it("reaches a named model without waiting when the cached configuration has grown old: it is re-read in the background", async () => {
    // The clock moves on past the configuration's five fresh seconds, within this rate-limit window.
    await awayFromWindowEnd(15_000);
    const realNow = Date.now.bind(Date);
    const later = () => void vi.spyOn(Date, "now").mockImplementation(() => realNow() + 6_000);
    try {
      const { heldAtCall, passedAtCall, done } = await measure("codellama:7b-instruct", () => false, undefined, { beforeHold: later });
      expect(passedAtCall).toEqual([]);
      // The re-read was started, and held with the rest, while the model was already asked.
      expect(heldAtCall.some((sql) => sql === "BEGIN")).toBe(true);
      expect(done.end?.type).toBe("done");
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("reaches the routed model (elite) after one statement, the search of the nearest past requests", async () => {
    const neighbours = (sql: string) => /request_neighbours/.test(sql);
    const { heldAtCall, passedAtCall, done } = await measure(undefined, neighbours);
    expect(passedAtCall.length).toBeLessThanOrEqual(1);
    expect(passedAtCall.every(neighbours)).toBe(true);
    expect(heldAtCall.some((sql) => /insert into interactions/.test(sql))).toBe(true);
    expect(done.end?.type).toBe("done");
  });

  it("reaches the routed model after that one statement when every cache it reads has grown old: they are re-read in the background", async () => {
    // Five minutes on: past the similarity scale's, the patterns' and the configuration's
    // fresh time. A new rate-limit window's first hit is counted in the database: let it pass.
    const allowed = (sql: string) => /request_neighbours|insert into private\.rate_limit_hits/.test(sql);
    const realNow = Date.now.bind(Date);
    const later = () => void vi.spyOn(Date, "now").mockImplementation(() => realNow() + 301_000);
    try {
      const { passedAtCall, done } = await measure(undefined, allowed, undefined, { beforeHold: later });
      expect(passedAtCall.filter((sql) => /request_neighbours/.test(sql))).toHaveLength(1);
      expect(passedAtCall.every(allowed)).toBe(true);
      expect(done.end?.type).toBe("done");
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("reaches the model on an editor's follow-up while the answer it follows up on is still being looked up", async () => {
    const first = await ask(me, { prompt: "How do I make a Python dataclass immutable?", model: "codellama:7b-instruct" });
    const answered = (await env.db.query<{ response: string }>("select response from interactions where id = $1", [first.interactionId])).rows[0].response;
    const followUp = async (): Promise<Answer> => {
      const prepared = await prepareChat(me, {
        conversationId: null,
        prompt: "perfect, that did the trick, thanks!",
        model: "codellama:7b-instruct",
        history: [
          { role: "user", content: "How do I make a Python dataclass immutable?" },
          { role: "assistant", content: answered },
        ],
        source: "api",
      });
      let start: Answer | null = null;
      for await (const e of streamChat(prepared, new AbortController().signal)) {
        if (e.type === "start") start = { interactionId: e.interactionId };
        if (e.type === "done" || e.type === "error") start = { ...start!, end: { type: e.type } };
      }
      return start!;
    };
    const { heldAtCall, passedAtCall, done } = await measure("codellama:7b-instruct", () => false, followUp);
    expect(passedAtCall).toEqual([]);
    expect(heldAtCall.some((sql) => /md5\(btrim\(\$2/.test(sql))).toBe(true); // the lookup, held while the model was called
    expect(done.end?.type).toBe("done");
    // …and the follow-up still speaks for the answer it followed.
    await settledLearning();
    const { rows } = await env.db.query<{ implicit: { signal: string } | null }>("select feedback->'implicit' as implicit from interactions where id = $1", [first.interactionId]);
    expect(rows[0].implicit).toMatchObject({ signal: "thanks" });
  });
});
