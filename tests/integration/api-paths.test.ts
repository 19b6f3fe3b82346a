import { describe, expect, it } from "vitest";
import { inProcessApp, type Routes } from "../support/api-app";
import { GET as listModels } from "../../app/v1/models/route";
import { GET as retrieveModel } from "../../app/v1/models/[...model]/route";
import * as unknownApi from "../../app/api/[...path]/route";
import * as unknownV1 from "../../app/v1/[...path]/route";
import { POST as v1Embeddings } from "../../app/v1/embeddings/route";

/**
 * What a client meets off the main endpoints: one model of /v1/models (the SDKs'
 * `models.retrieve`), and paths the app does not offer, answered as JSON in the API's own
 * dialect (Ollama's `{"error"}`, OpenAI's `{"error": {…}}`) instead of the web app's HTML page.
 */
const retrieve = (id: string) => (r: Request) => retrieveModel(r, { params: Promise.resolve({ model: id.split("/") }) });
const routes: Routes = {
  "GET /v1/models": listModels,
  "GET /v1/models/elite": retrieve("elite"),
  "GET /v1/models/deepseek-coder:6.7b": retrieve("deepseek-coder:6.7b"),
  "GET /v1/models/gpt-4o": retrieve("gpt-4o"),
  "POST /api/pull": unknownApi.POST,
  "DELETE /api/delete": unknownApi.DELETE,
  "POST /api/nothing": unknownApi.POST,
  "GET /v1/nothing": unknownV1.GET,
  "POST /v1/embeddings": v1Embeddings,
};
const app = inProcessApp(routes, "paths");

describe("paths off the main endpoints", () => {
  it("GET /v1/models/{model}: the model as the list has it; 404 naming the ones there are; 401 without a key", async () => {
    const client = app.openai();
    const list = (await client.models.list()).data;
    const elite = await client.models.retrieve("elite");
    expect(elite).toMatchObject({ id: "elite", object: "model", owned_by: "elite" });
    const coder = await client.models.retrieve("deepseek-coder:6.7b");
    expect(coder).toMatchObject({ id: "deepseek-coder:6.7b", object: "model", owned_by: "elite:lead_developer" });
    expect(list.map((m) => m.id)).toEqual(expect.arrayContaining([elite.id, coder.id]));
    await expect(client.models.retrieve("gpt-4o")).rejects.toMatchObject({ status: 404, code: "model_not_found" });
    const noKey = await retrieve("elite")(new Request("http://app.test/v1/models/elite"));
    expect(noKey.status).toBe(401);
  });

  it("an unknown path is a JSON 404 in the dialect's shape; Ollama's model management says where models are managed", async () => {
    await expect(app.ollama().pull({ model: "qwen2.5-coder:7b" })).rejects.toMatchObject({ status_code: 404, error: expect.stringMatching(/ollama pull/) });
    const del = await app.fetch("http://app.test/api/delete", { method: "DELETE", body: JSON.stringify({ model: "x" }) });
    expect(del.status).toBe(404);
    expect(((await del.json()) as { error: string }).error).toMatch(/on the Ollama host/);
    const nothing = await app.fetch("http://app.test/api/nothing", { method: "POST", body: "{}" });
    expect(nothing.status).toBe(404);
    expect(nothing.headers.get("content-type")).toMatch(/application\/json/);
    expect(((await nothing.json()) as { error: string }).error).toMatch(/not an endpoint of this server.*\/api\/chat/);
    const v1 = await app.fetch("http://app.test/v1/nothing");
    expect(v1.status).toBe(404);
    expect(await v1.json()).toMatchObject({ error: { type: "invalid_request_error", code: "not_found", message: expect.stringMatching(/\/v1\/chat\/completions/) } });
  });

  it("a value that fits none of a field's shapes is told what is wrong with it, once", async () => {
    const embed = async (input: unknown) => {
      const r = await app.fetch("http://app.test/v1/embeddings", { method: "POST", headers: { authorization: `Bearer ${app.key}` }, body: JSON.stringify({ model: "elite", input }) });
      expect(r.status).toBe(400);
      return ((await r.json()) as { error: { message: string } }).error.message;
    };
    expect(await embed([])).toBe("input: at least one text");
    expect(await embed(Array.from({ length: 600 }, () => "a"))).toBe("input: at most 512 texts");
    expect(await embed(5)).toBe("input: expected a text or an array of texts");
  });
});
