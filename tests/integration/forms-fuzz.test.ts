/**
 * Bad input at the screens' entry points, generated (fast-check, fixed seed): knowledge
 * uploads, the roster and API-key forms on Settings, the learning settings, and the chat's
 * feedback, rename and search actions. Each answers with a message (a 4xx or a failed result),
 * never a 5xx or a thrown error, and stores nothing it refused.
 * A larger run: FUZZ_RUNS=1000 npx vitest run tests/integration/forms-fuzz.test.ts
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { identityOf, startOrchestrator } from "../support/orchestrator";
import { OPERATOR } from "../support/db";

const operator = identityOf(OPERATOR, true);
vi.mock("@/lib/auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../lib/auth")>()),
  requireOperator: async () => operator,
  requireUser: async () => operator,
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

const { POST: upload } = await import("../../app/(ops)/api/knowledge/upload/route");
const { saveRoster, saveRoutedModels, createApiKeyAction } = await import("../../app/settings/actions");
const { saveSettingsAction } = await import("../../app/(ops)/adaptations/actions");
const { submitFeedback, renameConversation, searchConversations } = await import("../../app/(chat)/actions");

const RUNS = Number(process.env.FUZZ_RUNS ?? 30);
let env: Awaited<ReturnType<typeof startOrchestrator>>;

beforeAll(async () => {
  env = await startOrchestrator();
});
afterAll(() => env.close());

const count = async (table: string) => Number((await env.db.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0].n);
const bad = fc.constantFrom("\u0000", "\ud800", "\udfff", "", " ", "\u202e", "'; drop table documents; --");
const text = fc.oneof(fc.string({ maxLength: 40 }), fc.tuple(fc.string({ maxLength: 10 }), bad, fc.string({ maxLength: 10 })).map(([a, b, c]) => a + b + c), fc.nat({ max: 300_000 }).map((n) => "x".repeat(n)));
const anything = fc.oneof(fc.jsonValue({ maxDepth: 3 }), text, fc.constant(undefined));

describe("bad input at the screens' entry points", () => {
  it("knowledge upload: refused files leave no document behind; the response is never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(fc.record({ name: text, type: fc.oneof(text, fc.constantFrom("application/pdf", "text/markdown", "image/png")), bytes: fc.uint8Array({ maxLength: 200 }) }), { maxLength: 3 }).map((files) => {
            const form = new FormData();
            for (const f of files) form.append("files", new File([f.bytes], f.name, { type: f.type }));
            return { body: form as BodyInit, headers: {} as Record<string, string> };
          }),
          text.map((t) => ({ body: t as BodyInit, headers: { "content-type": "multipart/form-data; boundary=x" } })),
        ),
        async ({ body, headers }) => {
          const before = await count("documents");
          const res = await upload(new Request("http://localhost/api/knowledge/upload", { method: "POST", body, headers }));
          expect(res.status).toBeLessThan(500);
          const json = (await res.json()) as { results?: { ok: boolean }[]; error?: { message: string } };
          if (res.status >= 400) {
            expect(json.error?.message.length).toBeGreaterThan(5);
            expect(await count("documents")).toBe(before);
          } else {
            expect(await count("documents")).toBe(before + json.results!.filter((r) => r.ok).length);
          }
        },
      ),
      { seed: 7, numRuns: RUNS },
    );
  });

  it("roster and API-key forms: a refusal says why and changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom("router", "math", "lead_developer", "senior_developer", "architect", "embedding", "other"), text), text, async (fields, name) => {
        const roster = await env.db.query("select role, model_tag from model_roles order by role");
        const form = new FormData();
        for (const [k, v] of Object.entries(fields)) form.append(k, v);
        const r = await saveRoster({}, form);
        if (r.error) expect((await env.db.query("select role, model_tag from model_roles order by role")).rows).toEqual(roster.rows);
        else expect(r.ok).toBeTruthy();
        // Put the roster back for the next case.
        for (const row of roster.rows as { role: string; model_tag: string }[]) await env.db.query("update model_roles set model_tag = $2 where role = $1", [row.role, row.model_tag]);

        // The models routed without a role: any list of values, refused whole or saved whole.
        const routed = await env.db.query("select model_tag from routed_models order by model_tag");
        const routedForm = new FormData();
        for (const v of [name, ...Object.values(fields)]) routedForm.append("model", v);
        const rr = await saveRoutedModels({}, routedForm);
        expect(Boolean(rr.error) !== Boolean(rr.ok)).toBe(true);
        if (rr.error) expect((await env.db.query("select model_tag from routed_models order by model_tag")).rows).toEqual(routed.rows);
        await env.db.query("delete from routed_models");

        const keys = await count("api_keys");
        const keyForm = new FormData();
        keyForm.append("name", name);
        const k = await createApiKeyAction({}, keyForm);
        expect(Boolean(k.error) !== Boolean(k.ok)).toBe(true);
        expect(await count("api_keys")).toBe(keys + (k.ok ? 1 : 0));
      }),
      { seed: 11, numRuns: RUNS },
    );
  });

  it("learning settings and chat actions: a failed result with a message, nothing stored", async () => {
    await fc.assert(
      fc.asyncProperty(anything, anything, anything, async (a, b, c) => {
        const settings = await env.db.query("select key, value from app_settings order by key");
        const s = await saveSettingsAction({ promoteThreshold: a, minSamples: b, guardrails: c });
        expect(s.ok).toBeUndefined();
        expect(s.error).toMatch(/^\w+.*: /); // names the field
        expect(s.error).not.toMatch(/went wrong/i);
        expect((await env.db.query("select key, value from app_settings order by key")).rows).toEqual(settings.rows);
        const f = await submitFeedback({ interactionId: a, rating: b, comment: c } as never);
        expect(f.ok).toBe(false);
        if (!f.ok) expect(f.error).not.toMatch(/went wrong/i);
        const rn = await renameConversation({ id: typeof a === "string" ? a : "x", title: typeof c === "string" ? c : "" });
        expect(rn.ok).toBe(false);
        if (!rn.ok) expect(rn.error).not.toMatch(/went wrong/i);
        const q = await searchConversations({ query: b as never });
        if (!q.ok) expect(q.error).not.toMatch(/went wrong/i);
      }),
      { seed: 13, numRuns: RUNS },
    );
  });
});
