import { afterAll, beforeAll } from "vitest";
import { Ollama } from "ollama";
import OpenAI from "openai";
import { USER_A, userClaims } from "./db";
import { startOrchestrator } from "./orchestrator";
import { withClaims } from "../../lib/db/session";
import { createApiKey } from "../../lib/db/queries/api-keys";
import { generateApiKey } from "../../lib/api/keys";
import type { Database } from "../../lib/db/types";

/** Route handlers by "METHOD /path", as the app mounts them. */
export type Routes = Record<string, (r: Request) => Promise<Response> | Response>;

/** A fetch that dispatches to the route handlers in process (the official clients take it as their `fetch`); 404 for anything else. */
export function appFetch(routes: Routes): typeof fetch {
  return (async (url: string | URL | Request, init?: RequestInit) => {
    const req = new Request(url, init);
    const route = routes[`${req.method} ${new URL(req.url).pathname}`];
    return route ? route(req) : new Response("not found", { status: 404 });
  }) as typeof fetch;
}

/** A new API key of `user` (default USER_A), written as the user would through Settings; returns the secret. */
export async function apiKeyFor(db: Database, name: string, user = USER_A): Promise<string> {
  const k = generateApiKey();
  await withClaims(db, userClaims(user), (tx) => createApiKey(tx, { name, prefix: k.prefix, keyHash: k.hash }));
  return k.secret;
}

/**
 * The app's compatible endpoints in process, over the real orchestrator, database and
 * simulator, with one user's API key: started before the file's tests and stopped after.
 * Read `env` and `key` inside tests (they are set by then); the clients talk to `routes` only.
 */
export function inProcessApp(routes: Routes, keyName: string) {
  const fetchApp = appFetch(routes);
  const app = {
    env: undefined as unknown as Awaited<ReturnType<typeof startOrchestrator>>,
    key: "",
    fetch: fetchApp,
    ollama: () => new Ollama({ host: "http://app.test", headers: { Authorization: `Bearer ${app.key}` }, fetch: fetchApp }),
    openai: () => new OpenAI({ baseURL: "http://app.test/v1", apiKey: app.key, fetch: fetchApp, maxRetries: 0 }),
  };
  beforeAll(async () => {
    app.env = await startOrchestrator();
    app.key = await apiKeyFor(app.env.db, keyName);
  });
  afterAll(() => app.env.close());
  return app;
}
