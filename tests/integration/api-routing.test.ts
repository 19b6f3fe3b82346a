import { beforeAll, describe, expect, it } from "vitest";
import { apiKeyFor, inProcessApp } from "../support/api-app";
import { GET as routingGet, PUT as routingPut } from "../../app/api/routing/route";
import { GET as modelsRoute } from "../../app/v1/models/route";
import { POST as openaiChatRoute } from "../../app/v1/chat/completions/route";
import { LOCAL_OPERATOR_ID } from "../../lib/auth/claims";
import { DEFAULT_ROLE_MODELS, EMBEDDING_MODEL, normalizeModel } from "../../lib/domain";
import { asSystem } from "../../lib/db";

/**
 * `GET/PUT /api/routing`: which models `elite` routes to, for scripts and provisioning, as
 * Settings changes it: read with any key, changed by operators only, a bad change refused
 * whole, a good one in effect at the next request.
 */
describe("the routing API", () => {
  const app = inProcessApp(
    { "GET /api/routing": routingGet, "PUT /api/routing": routingPut, "GET /v1/models": modelsRoute, "POST /v1/chat/completions": openaiChatRoute },
    "routing",
  );
  let operatorKey = "";
  beforeAll(async () => {
    operatorKey = await apiKeyFor(app.env.db, "provisioning", LOCAL_OPERATOR_ID);
  });
  const call = (method: "GET" | "PUT", key: string, body?: unknown) =>
    app.fetch("http://app.test/api/routing", {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
  const routing = async () => (await call("GET", app.key)).json() as Promise<{ roles: Record<string, string>; embedding: string; also_routed: string[] }>;

  it("gives the roles, the embedding model and the models also routed to any key's user; 401 without a valid key", async () => {
    const res = await call("GET", app.key);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ roles: { ...DEFAULT_ROLE_MODELS }, embedding: EMBEDDING_MODEL.tag, also_routed: [] });
    const bad = await call("GET", "eca_not-a-key");
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: { message: expect.stringMatching(/api key/i) } });
  });

  it("lets only operators change it: a plain user's key gets a 403 and nothing changes", async () => {
    const res = await call("PUT", app.key, { also_routed: ["wizardcoder"] });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/operators/) } });
    expect((await routing()).also_routed).toEqual([]);
  });

  it("refuses a malformed change with a 400 naming the field, and a change that cannot hold as a whole, saving none of it", async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /nothing to change/],
      ["{not json", /not valid JSON/],
      [{ roles: { poet: "mathstral" } }, /roles.*poet|poet.*roles|Unrecognized key/i],
      [{ also_routed: ["not a tag!"] }, /also_routed\.0: Not an Ollama model tag/],
      [{ also_routed: "mathstral" }, /also_routed/],
      [{ embedding: "" }, /embedding/],
      [{ roles: { math: "wizardcoder" }, also_routed: [DEFAULT_ROLE_MODELS.lead_developer] }, /already plays the lead_developer role/],
      [{ also_routed: [EMBEDDING_MODEL.tag] }, /is the embedding model/],
    ];
    for (const [body, message] of cases) {
      const res = await call("PUT", operatorKey, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error.message).toMatch(message);
    }
    // The role given beside the refused list was not saved either.
    expect(await routing()).toEqual({ roles: { ...DEFAULT_ROLE_MODELS }, embedding: EMBEDDING_MODEL.tag, also_routed: [] });
  });

  it("puts an operator's change in effect at the next request: a model moved off its role is routed without one, listed and answers by name", async () => {
    const math = DEFAULT_ROLE_MODELS.math;
    const listed = normalizeModel(math); // "mathstral:latest": the list keeps full tags, as Settings writes them
    const res = await call("PUT", operatorKey, { roles: { math: "wizardcoder" }, also_routed: [math] });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      roles: { ...DEFAULT_ROLE_MODELS, math: "wizardcoder" },
      also_routed: [listed],
      changed: { roles: [{ role: "math", from: math, to: "wizardcoder" }], also_routed: { added: [listed], removed: [] } },
    });
    expect(await routing()).toMatchObject({ roles: { math: "wizardcoder" }, also_routed: [listed] });

    const models = (await (await app.fetch("http://app.test/v1/models", { headers: { authorization: `Bearer ${app.key}` } })).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toContain(math); // OpenAI ids drop ":latest"
    const answer = await app.openai().chat.completions.create({ model: math, messages: [{ role: "user", content: "What is 17 * 23?" }] });
    expect(normalizeModel(answer.model)).toBe(listed);

    // Audited as the Settings page audits it.
    const audit = await asSystem((tx) => tx.query<{ action: string }>(`select action from audit_log where actor = $1 order by created_at`, [LOCAL_OPERATOR_ID]));
    expect(audit.rows.map((r) => r.action)).toEqual(expect.arrayContaining(["roster.update", "roster.routed_models"]));

    // And back: the role restored, the list emptied; saying the same again changes nothing.
    const back = await call("PUT", operatorKey, { roles: { math }, also_routed: [] });
    expect((await back.json()).changed).toEqual({ roles: [{ role: "math", from: "wizardcoder", to: math }], also_routed: { added: [], removed: [listed] } });
    const again = await call("PUT", operatorKey, { roles: { math }, also_routed: [] });
    expect((await again.json()).changed).toEqual({ roles: [], also_routed: { added: [], removed: [] } });
    expect(await routing()).toEqual({ roles: { ...DEFAULT_ROLE_MODELS }, embedding: EMBEDDING_MODEL.tag, also_routed: [] });
  });
});
