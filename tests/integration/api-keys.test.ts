import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Ollama } from "ollama";
import { ask, identityOf, startOrchestrator } from "../support/orchestrator";
import { USER_A, USER_B, userClaims } from "../support/db";
import { withUser } from "../../lib/db";
import { createApiKey, listApiKeys, revokeApiKey } from "../../lib/db/queries/api-keys";
import { bearerToken, generateApiKey, hashApiKey, identityForKeyUser, identityFromRequest, looksLikeApiKey } from "../../lib/api/keys";
import { apiFeedbackSchema, describeIssue, ollamaChatSchema, openaiChatSchema } from "../../lib/api/schemas";
import { openaiTurns, splitTurns } from "../../lib/api/turns";
import { LOCAL_OPERATOR_ID } from "../../lib/auth/claims";
import { KEY_TTL_MS } from "../../lib/api/key-cache";
import { listeningForChanges } from "../../lib/db/changes";
import { AppError } from "../../lib/errors";
import { learningState } from "../../lib/learning/store";
import { settledLearning } from "../../lib/orchestrator/learn";
import { POST as feedbackRoute } from "../../app/api/feedback/route";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";
import { POST as ollamaChatRoute } from "../../app/api/chat/route";
import { POST as openaiChatRoute } from "../../app/v1/chat/completions/route";

describe("key format", () => {
  it("generates eca_ keys of 32 random bytes, a 12-character prefix and the SHA-256 of the whole key", () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.secret).toMatch(/^eca_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.secret.slice(4), "base64url")).toHaveLength(32);
    expect(a.prefix).toBe(a.secret.slice(0, 12));
    expect(a.hash).toBe(createHash("sha256").update(a.secret).digest("hex"));
    expect(hashApiKey(a.secret)).toBe(a.hash);
    expect(b.secret).not.toBe(a.secret);
    expect(b.hash).not.toBe(a.hash);
  });

  it("reads the bearer token and refuses what is not a key", () => {
    const { secret } = generateApiKey();
    expect(bearerToken(`Bearer ${secret}`)).toBe(secret);
    expect(bearerToken(`bearer   ${secret} `)).toBe(secret);
    expect(bearerToken(null)).toBeNull();
    expect(bearerToken(`Basic ${secret}`)).toBeNull();
    expect(bearerToken("Bearer")).toBeNull();
    expect(bearerToken(`Bearer ${secret} extra`)).toBeNull();
    expect(looksLikeApiKey(secret)).toBe(true);
    expect(looksLikeApiKey(secret.slice(0, -1))).toBe(false);
    expect(looksLikeApiKey(`sk_${secret.slice(4)}`)).toBe(false);
    expect(looksLikeApiKey(`${secret.slice(0, -1)}+`)).toBe(false);
  });

  it("maps a key's user to RLS claims: plain users stay plain, the embedded local operator stays operator", () => {
    const plain = identityForKeyUser(USER_A, "supabase");
    expect(plain).toMatchObject({ userId: USER_A, isOperator: false, claims: { sub: USER_A, role: "authenticated" } });
    expect(plain.claims.app_metadata?.role).toBeUndefined();
    expect(identityForKeyUser(LOCAL_OPERATOR_ID, "supabase").isOperator).toBe(false);
    const local = identityForKeyUser(LOCAL_OPERATOR_ID, "embedded");
    expect(local).toMatchObject({ userId: LOCAL_OPERATOR_ID, isOperator: true, source: "local" });
    expect(local.claims.app_metadata?.role).toBe("operator");
  });
});

describe("request schemas", () => {
  const issue = (r: { success: boolean; error?: Parameters<typeof describeIssue>[0] }) => (r.success ? null : describeIssue(r.error!));

  it("Ollama chat: names the field at fault", () => {
    expect(issue(ollamaChatSchema.safeParse({ model: "elite", messages: [{ role: "user", content: "hi" }] }))).toBeNull();
    expect(issue(ollamaChatSchema.safeParse({ messages: [{ role: "user", content: "hi" }] }))?.field).toBe("model");
    expect(issue(ollamaChatSchema.safeParse({ model: "elite", messages: [] }))?.message).toBe("messages: send at least one message");
    expect(issue(ollamaChatSchema.safeParse({ model: "elite", messages: [{ role: "user", content: "a" }, { role: "robot", content: "b" }] }))?.field).toBe("messages.1.role");
    expect(issue(ollamaChatSchema.safeParse({ model: "elite", messages: [{ role: "user", content: 3 }] }))?.field).toBe("messages.0.content");
    expect(issue(ollamaChatSchema.safeParse({ model: "elite", messages: [{ role: "user", content: "x", images: ["aGk="] }] }))?.message).toMatch(/^messages\.0\.images: images are not supported/);
    expect(issue(ollamaChatSchema.safeParse({ model: "elite", messages: [{ role: "user", content: "x" }], stream: "yes" }))?.field).toBe("stream");
    // Options the orchestrator decides itself are accepted (and ignored).
    expect(issue(ollamaChatSchema.safeParse({ model: "elite", messages: [{ role: "user", content: "x" }], options: { temperature: 0.1 }, keep_alive: "5m" }))).toBeNull();
  });

  it("OpenAI chat: text parts are joined, developer is system, other parts and n > 1 are refused", () => {
    const ok = openaiChatSchema.parse({
      model: "elite",
      messages: [
        { role: "developer", content: "Be brief." },
        { role: "assistant", content: null, tool_calls: [] },
        { role: "user", content: [{ type: "text", text: "Hello " }, { type: "text", text: "there" }] },
      ],
      temperature: 0.2,
    });
    expect(openaiTurns(ok.messages)).toEqual([
      { role: "system", content: "Be brief." },
      { role: "assistant", content: "" },
      { role: "user", content: "Hello there" },
    ]);
    // A value that fits none of a field's shapes is told what was wrong inside it, not "Invalid input".
    expect(issue(openaiChatSchema.safeParse({ model: "elite", messages: [{ role: "user", content: [{ type: "text", text: "what is this?" }, { type: "image_url", image_url: { url: "x" } }] }] }))).toEqual({
      field: "messages.0.content.1.type",
      message: "messages.0.content.1.type: only text parts are supported",
    });
    expect(issue(openaiChatSchema.safeParse({ model: "elite", messages: [{ role: "user", content: 5 }] }))?.message).toBe("messages.0.content: expected text or an array of text parts");
    expect(issue(openaiChatSchema.safeParse({ model: "elite", messages: [{ role: "user", content: "x" }], n: 2 }))?.message).toBe("n: only one choice (n = 1) is supported");
  });

  it("the last message must be the user's (or tool calls and their results after it) and not empty", () => {
    expect(splitTurns([{ role: "system", content: "s" }, { role: "user", content: "q" }])).toEqual({ prompt: "q", history: [{ role: "system", content: "s" }], tail: [] });
    expect(splitTurns([{ role: "user", content: "q" }, { role: "assistant", content: "a" }])).toEqual({
      error: { field: "messages.1.role", message: "messages.1.role: the last message must be the user's (or, after it, the tool calls and their results)" },
    });
    expect(splitTurns([{ role: "user", content: "  " }])).toMatchObject({ error: { field: "messages.0.content" } });
    const call = { role: "assistant" as const, content: "", tool_calls: [{ function: { name: "f", arguments: {} } }] };
    const result = { role: "tool" as const, content: "42", tool_name: "f" };
    expect(splitTurns([{ role: "user", content: "q" }, call, result])).toEqual({ prompt: "q", history: [], tail: [call, result] });
    expect(splitTurns([{ role: "user", content: "q" }, call])).toMatchObject({ error: { field: "messages.1.role" } }); // the call's result is missing
    expect(splitTurns([{ role: "tool", content: "42" }])).toMatchObject({ error: { field: "messages.0.role" } });
  });

  it("feedback: a uuid, at least one signal, no unknown fields", () => {
    const id = "d0000000-0000-4000-8000-00000000000d";
    expect(apiFeedbackSchema.parse({ interaction_id: id, rating: 5 })).toEqual({ interaction_id: id, rating: 5 });
    expect(issue(apiFeedbackSchema.safeParse({ interaction_id: "nope", rating: 5 }))?.field).toBe("interaction_id");
    expect(issue(apiFeedbackSchema.safeParse({ interaction_id: id, rating: 6 }))?.field).toBe("rating");
    expect(issue(apiFeedbackSchema.safeParse({ interaction_id: id }))?.message).toMatch(/nothing to record/);
    expect(issue(apiFeedbackSchema.safeParse({ interaction_id: id, preferredModel: "mathstral" }))?.message).toMatch(/preferredModel/);
  });
});

describe("keys in the database and the endpoints (route handlers, real clients)", () => {
  let env: Awaited<ReturnType<typeof startOrchestrator>>;
  let keyA: string;
  let keyB: string;
  let keyAId: string;

  beforeAll(async () => {
    env = await startOrchestrator();
    const a = generateApiKey();
    const b = generateApiKey();
    keyAId = (await withUser(userClaims(USER_A), (tx) => createApiKey(tx, { name: "A's editor", prefix: a.prefix, keyHash: a.hash }))).id;
    await withUser(userClaims(USER_B), (tx) => createApiKey(tx, { name: "B's script", prefix: b.prefix, keyHash: b.hash }));
    keyA = a.secret;
    keyB = b.secret;
  });
  afterAll(() => env.close());

  const req = (key: string | null, body?: unknown, url = "http://app.test/api/feedback") =>
    new Request(url, { method: "POST", headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify(body ?? {}) });

  it("each user lists only their own keys, without the hash; nobody revokes another's key", async () => {
    const mine = await withUser(userClaims(USER_A), (tx) => listApiKeys(tx));
    expect(mine.map((k) => k.name)).toEqual(["A's editor"]);
    expect(mine[0]).not.toHaveProperty("key_hash");
    expect(mine[0].prefix).toBe(keyA.slice(0, 12));
    expect(await withUser(userClaims(USER_B), (tx) => revokeApiKey(tx, { id: keyAId }))).toBeNull();
    const { rows } = await env.db.query<{ key_hash: string }>("select key_hash from api_keys where id = $1", [keyAId]);
    expect(rows[0].key_hash).toBe(hashApiKey(keyA)); // stored hashed, never in clear
  });

  it("a request with the key runs as its user and marks the key used; missing, unknown and malformed keys are 401", async () => {
    const identity = await identityFromRequest(req(keyA));
    expect(identity).toMatchObject({ userId: USER_A, isOperator: false, claims: { sub: USER_A, role: "authenticated" } });
    const { rows } = await env.db.query<{ last_used_at: Date | null }>("select last_used_at from api_keys where id = $1", [keyAId]);
    expect(rows[0].last_used_at).not.toBeNull();
    for (const bad of [null, generateApiKey().secret, "not-a-key"]) {
      const err = await identityFromRequest(req(bad)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(401);
    }
  });

  it("the official ollama client through /api/chat: answered, recorded with source 'api', learned from", async () => {
    const client = new Ollama({
      host: "http://app.test",
      headers: { Authorization: `Bearer ${keyA}` },
      fetch: (url, init) => ollamaChatRoute(new Request(url, init)),
    });
    const before = structuredClone((await learningState()).policy.code_generation ?? {});
    const res = await client.chat({
      model: "elite",
      messages: [
        { role: "user", content: "What is a closure?" },
        { role: "assistant", content: "A function with its environment." },
        { role: "user", content: "Write a Python function that reverses a linked list." },
      ],
      stream: false,
    });
    const elite = (res as unknown as { elite: { interaction_id: string; model: string; task_type: string } }).elite;
    expect(res.done).toBe(true);
    expect(res.message.content.length).toBeGreaterThan(20);
    expect(res.model).toBe(elite.model);
    const { rows } = await env.db.query<{ source: string; status: string; user_id: string; user_prompt: string; response: string; model_used: string; task_type: string }>(
      "select source, status, user_id, user_prompt, response, model_used, task_type from interactions where id = $1",
      [elite.interaction_id],
    );
    expect(rows[0]).toEqual({
      source: "api",
      status: "completed",
      user_id: USER_A,
      user_prompt: "Write a Python function that reverses a linked list.",
      response: res.message.content,
      model_used: elite.model,
      task_type: "code_generation",
    });
    expect(res.eval_count).toBeGreaterThan(0);
    expect(res.prompt_eval_count).toBeGreaterThan(0);
    // The outcome moved the routing posterior of (code_generation, that model), as a chat answer would.
    // The answer is learned from after the client has it (its stream may end first).
    await settledLearning();
    const after = (await learningState()).policy.code_generation?.[elite.model];
    const prior = before[elite.model];
    expect(after).toBeDefined();
    expect(after!.updatedAt).toBeGreaterThan(prior?.updatedAt ?? 0);
  });

  it("/api/feedback reads a better model named in a comment: the pattern is taught and the message says so", async () => {
    const mine = await ask(identityOf(USER_A), { prompt: "Optimise this bubble sort so it stops early when the list is already sorted.", model: DEFAULT_ROLE_MODELS.lead_developer });
    const res = await feedbackRoute(req(keyA, { interaction_id: mine.interactionId, comment: "honestly the maths specialist would've done a better job here" }));
    expect(res.status).toBe(200);
    expect((await res.json()).message).toContain(`read from the comment: ${DEFAULT_ROLE_MODELS.math} would have been better`);
    const { rows } = await env.db.query<{ feedback: { betterModel?: string; comment?: string } }>("select feedback from interactions where id = $1", [mine.interactionId]);
    expect(rows[0].feedback).toMatchObject({ betterModel: DEFAULT_ROLE_MODELS.math, comment: "honestly the maths specialist would've done a better job here" });
    // The request joined a routing pattern for the maths model, as the form's "better model" makes it.
    const taught = await env.db.query<{ model_name: string; agrees: boolean }>(
      "select p.model_name, m.agrees from routing_pattern_members m join learning_patterns p on p.id = m.pattern_id where m.interaction_id = $1",
      [mine.interactionId],
    );
    expect(taught.rows).toContainEqual({ model_name: DEFAULT_ROLE_MODELS.math, agrees: true });
    // A comment that names no model is a comment.
    const plain = await ask(identityOf(USER_A), { prompt: "Write a function that merges two sorted arrays." });
    await feedbackRoute(req(keyA, { interaction_id: plain.interactionId, comment: "a table would have been better" }));
    const plainRow = await env.db.query<{ feedback: { betterModel?: string } }>("select feedback from interactions where id = $1", [plain.interactionId]);
    expect(plainRow.rows[0].feedback.betterModel).toBeUndefined();
  });

  it("/v1/chat/completions refuses a revoked key with OpenAI's error shape", async () => {
    const k = generateApiKey();
    const id = (await withUser(userClaims(USER_A), (tx) => createApiKey(tx, { name: "soon revoked", prefix: k.prefix, keyHash: k.hash }))).id;
    const body = { model: "elite", messages: [{ role: "user", content: "hi" }] };
    const before = await openaiChatRoute(req(k.secret, { ...body, model: "no-such-model" }, "http://app.test/v1/chat/completions"));
    expect(before.status).toBe(404); // authenticated, so the model check answered
    expect(await before.json()).toMatchObject({ error: { param: "model", code: "model_not_found" } });
    // Revoked as another instance (or the CLI) would: the key cache hears it from the database's
    // trigger, well before its 30 s lifetime. Wait on the state, not on a time.
    await listeningForChanges(); // the key cache hears the database from here on
    const revokedAt = Date.now();
    await withUser(userClaims(USER_A), (tx) => revokeApiKey(tx, { id }));
    let after = await openaiChatRoute(req(k.secret, body, "http://app.test/v1/chat/completions"));
    while (after.status !== 401 && Date.now() - revokedAt < KEY_TTL_MS / 2) {
      await new Promise((r) => setTimeout(r, 20));
      after = await openaiChatRoute(req(k.secret, body, "http://app.test/v1/chat/completions"));
    }
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ error: { message: "Invalid or revoked API key.", type: "invalid_request_error", param: null, code: "invalid_api_key" } });
  });

  it("/api/feedback: 404 for another user's interaction, 400 naming the field, 200 for one's own", async () => {
    const mine = await ask(identityOf(USER_A), { prompt: "Explain recursion briefly." });
    const theirs = await feedbackRoute(req(keyB, { interaction_id: mine.interactionId, rating: 1 }));
    expect(theirs.status).toBe(404);
    const { rows: untouched } = await env.db.query<{ success_rating: number | null }>("select success_rating from interactions where id = $1", [mine.interactionId]);
    expect(untouched[0].success_rating).toBeNull();

    const bad = await feedbackRoute(req(keyA, { interaction_id: mine.interactionId, rating: "five" }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/^rating: /);
    const badModel = await feedbackRoute(req(keyA, { interaction_id: mine.interactionId, preferred_model: "gpt-4" }));
    expect(badModel.status).toBe(400);
    expect((await badModel.json()).error.message).toMatch(/^preferred_model: /);

    const ok = await feedbackRoute(req(keyA, { interaction_id: mine.interactionId, rating: 5 }));
    expect(ok.status).toBe(200);
    expect((await ok.json()).message).toMatch(/^Saved/);
    const { rows } = await env.db.query<{ success_rating: number | null }>("select success_rating from interactions where id = $1", [mine.interactionId]);
    expect(rows[0].success_rating).toBe(5);
  });

  it("/api/feedback takes a comment, quick tags and a preferred model named by its role; the time of feedback is recorded", async () => {
    const mine = await ask(identityOf(USER_A), { prompt: "Write a function that reverses a linked list." });
    const res = await feedbackRoute(req(keyA, { interaction_id: mine.interactionId, comment: "please add type hints", tags: ["needs comments"], preferred_model: "math" }));
    expect(res.status).toBe(200);
    const { rows } = await env.db.query<{ feedback: Record<string, unknown>; feedback_at: Date | null; created_at: Date }>(
      "select feedback, feedback_at, created_at from interactions where id = $1",
      [mine.interactionId],
    );
    expect(rows[0].feedback).toMatchObject({ comment: "please add type hints", tags: ["needs comments"], betterModel: DEFAULT_ROLE_MODELS.math });
    expect(rows[0].feedback_at!.getTime()).toBeGreaterThanOrEqual(rows[0].created_at.getTime());
    const badTag = await feedbackRoute(req(keyA, { interaction_id: mine.interactionId, tags: ["nice"] }));
    expect(badTag.status).toBe(400);
    expect((await badTag.json()).error.message).toMatch(/^tags\.0: /);
    const lead = await feedbackRoute(req(keyA, { interaction_id: mine.interactionId, preferred_model: "Lead developer" }));
    expect(lead.status).toBe(200);
    // A role as people name it: the British spelling, with an article and a title.
    const maths = await feedbackRoute(req(keyA, { interaction_id: mine.interactionId, preferred_model: "the maths specialist" }));
    expect(maths.status).toBe(200);
    const after = await env.db.query<{ feedback: { betterModel?: string } }>("select feedback from interactions where id = $1", [mine.interactionId]);
    expect(after.rows[0].feedback.betterModel).toBe(DEFAULT_ROLE_MODELS.math);
    // A task type as the dashboard shows it; something that is none is refused, naming the ids.
    const stated = await feedbackRoute(req(keyA, { interaction_id: mine.interactionId, task_type: "Refactoring optimization" }));
    expect(stated.status).toBe(200);
    const read = await env.db.query<{ feedback: { taskType?: string } }>("select feedback from interactions where id = $1", [mine.interactionId]);
    expect(read.rows[0].feedback.taskType).toBe("refactoring_optimization");
    const unknown = await feedbackRoute(req(keyA, { interaction_id: mine.interactionId, task_type: "coding" }));
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error.message).toMatch(/^task_type: expected one of math, algorithm/);
  });
});
