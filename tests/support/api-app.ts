import { USER_A, userClaims } from "./db";
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
