/**
 * Bad input at the compatible APIs' entry points, generated (fast-check, fixed seed): every
 * response is a 4xx with a message, never a 5xx, and nothing is left behind in the database.
 * A larger run: FUZZ_RUNS=2000 npx vitest run tests/integration/api-fuzz.test.ts
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOrchestrator } from "../support/orchestrator";
import { apiKeyFor } from "../support/api-app";
import { POST as openaiPost } from "../../app/v1/chat/completions/route";
import { POST as ollamaPost } from "../../app/api/chat/route";
import { POST as feedbackPost } from "../../app/api/feedback/route";
import { POST as generatePost } from "../../app/api/generate/route";
import { POST as embedPost } from "../../app/v1/embeddings/route";
import { POST as completionsPost } from "../../app/v1/completions/route";
import { PUT as routingPut } from "../../app/api/routing/route";
import { LOCAL_OPERATOR_ID } from "../../lib/auth/claims";

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
let env: Awaited<ReturnType<typeof startOrchestrator>>;
let key = "";

beforeAll(async () => {
  env = await startOrchestrator();
  key = await apiKeyFor(env.db, "fuzz");
});
afterAll(() => env.close());

const bad = fc.constantFrom("\u0000", "\ud800", "\udfff", "");
const text = fc.oneof(fc.string({ maxLength: 30 }), fc.tuple(fc.string({ maxLength: 10 }), bad, fc.string({ maxLength: 10 })).map(([a, b, c]) => a + b + c));
/** Bodies that are wrong in many ways: wrong types, missing fields, bad characters, odd roles, deep nesting, not JSON at all. */
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.record({ model: fc.oneof(text, fc.integer(), fc.constant("elite")), messages: fc.array(fc.record({ role: fc.oneof(text, fc.constantFrom("user", "system", "robot")), content: fc.oneof(text, fc.integer(), fc.constant(null), fc.array(fc.record({ type: text, text: text }))) }), { maxLength: 3 }) }).map((v) => JSON.stringify(v)),
  fc.nat({ max: 5000 }).map((n) => `{"model":"elite","messages":${"[".repeat(n)}${"]".repeat(n)}}`),
  fc.string({ maxLength: 40 }).map((s) => `{${s}`),
);

async function rows(): Promise<number> {
  return Number((await env.db.query<{ n: number }>("select count(*)::int as n from interactions")).rows[0].n);
}

describe("bad input at the API entry points", () => {
  it.each([
    ["POST /v1/chat/completions", openaiPost],
    ["POST /api/chat", ollamaPost],
    ["POST /api/generate", generatePost],
    ["POST /v1/embeddings", embedPost],
    ["POST /v1/completions", completionsPost],
  ] as const)("%s answers 4xx with a message, never 5xx, and records nothing invalid", async (_name, post) => {
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const before = await rows();
        const res = await post(new Request("http://localhost/x", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: b }));
        const text = await res.text();
        if (res.status < 400) return; // a valid request that happened to be generated: answered
        expect(res.status, `${b.slice(0, 200)} → ${text.slice(0, 200)}`).toBeLessThan(500);
        expect(text.length).toBeGreaterThan(10);
        expect(await rows()).toBe(before);
      }),
      { seed: 42, numRuns: RUNS },
    );
  });

  it("POST /api/feedback answers 4xx for bad bodies, never 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(body, fc.record({ interaction_id: fc.oneof(text, fc.uuid()), rating: fc.oneof(fc.integer(), text), correction: text, task_type: text }).map((v) => JSON.stringify(v))),
        async (b) => {
          const res = await feedbackPost(new Request("http://localhost/api/feedback", { method: "POST", headers: { authorization: `Bearer ${key}` }, body: b }));
          expect(res.status, b.slice(0, 200)).toBeGreaterThanOrEqual(400);
          expect(res.status, b.slice(0, 200)).toBeLessThan(500);
        },
      ),
      { seed: 42, numRuns: RUNS },
    );
  });

  it("PUT /api/routing answers 4xx for an operator's bad bodies, never 5xx, and a refused change leaves routing as it was", async () => {
    const operatorKey = await apiKeyFor(env.db, "fuzz-operator", LOCAL_OPERATOR_ID);
    const routing = async () =>
      JSON.stringify([
        (await env.db.query("select role, model_tag from model_roles order by role")).rows,
        (await env.db.query("select model_tag from routed_models order by model_tag")).rows,
      ]);
    const tag = fc.oneof(text, fc.integer(), fc.constantFrom("mathstral", "wizardcoder", "nomic-embed-text", "a/b:c", "x:y:z"));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          body,
          fc.record({ roles: fc.oneof(fc.dictionary(fc.oneof(text, fc.constantFrom("math", "architect", "embedding")), tag), tag), embedding: tag, also_routed: fc.oneof(fc.array(tag, { maxLength: 3 }), tag) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
        ),
        async (b) => {
          const before = await routing();
          const res = await routingPut(new Request("http://localhost/api/routing", { method: "PUT", headers: { authorization: `Bearer ${operatorKey}`, "content-type": "application/json" }, body: b }));
          const text = await res.text();
          if (res.status < 400) return; // a valid change that happened to be generated: made
          expect(res.status, `${b.slice(0, 200)} → ${text.slice(0, 200)}`).toBeLessThan(500);
          expect(text.length).toBeGreaterThan(10);
          expect(await routing()).toBe(before);
        },
      ),
      { seed: 42, numRuns: RUNS },
    );
  });
});
