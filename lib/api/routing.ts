import "server-only";
import { requireUser, type Identity } from "@/lib/auth";
import { configureRouting } from "@/lib/roster/configure-routing";
import { currentRoster } from "@/lib/roster/current";
import type { Roster } from "@/lib/domain";
import { asOperatorIfOne, identityFromRequest } from "./keys";
import { ApiError, appErrorResponse } from "./errors";
import { readJson } from "./run";
import { apiRoutingSchema, describeIssue } from "./schemas";

/**
 * `GET /api/routing` and `PUT /api/routing`: which model plays each role, the embedding
 * model, and the models `elite` also routes to without a role (Settings → Model roster and
 * Also routed), for scripts and provisioning. Authenticated by an API key
 * (`Authorization: Bearer <key>`), or else as the Settings page is (the signed-in session;
 * on the embedded database, the local operator). Anyone authenticated may read; only
 * operators change (403 otherwise): in Supabase mode a key's user is one when Supabase Auth
 * has them down as one at the time of the request. A change is the roles given (others keep theirs) and/or
 * the whole also-routed list; 400 naming the field for a malformed body or tag, or a model
 * that plays a role listed as also routed (nothing saved).
 */

/** The caller: by its API key when it sends one, else as the Settings page knows it. */
async function identityOf(request: Request): Promise<Identity> {
  return request.headers.has("authorization") ? identityFromRequest(request) : requireUser();
}

function routingBody(roster: Roster) {
  return { roles: roster.roles, embedding: roster.embedding, also_routed: roster.routed.filter((m) => m.role === null).map((m) => m.model) };
}

const NO_STORE = { "cache-control": "no-store" };

export async function apiRoutingGet(request: Request): Promise<Response> {
  try {
    await identityOf(request);
    return Response.json(routingBody(await currentRoster()), { headers: NO_STORE });
  } catch (e) {
    return appErrorResponse(e);
  }
}

export async function apiRoutingPut(request: Request): Promise<Response> {
  try {
    const identity = await asOperatorIfOne(await identityOf(request));
    if (!identity.isOperator) throw new ApiError("forbidden:api", "Only operators can change routing: use an operator's key or session.");
    const parsed = apiRoutingSchema.safeParse(await readJson(request));
    if (!parsed.success) {
      const { field, message } = describeIssue(parsed.error);
      throw new ApiError("bad_request:api", message, { param: field });
    }
    const { roles, embedding, also_routed } = parsed.data;
    const changed = await configureRouting(identity, { roles: { ...roles, ...(embedding === undefined ? {} : { embedding }) }, alsoRouted: also_routed });
    return Response.json({ ...routingBody(await currentRoster()), changed: { roles: changed.roles, also_routed: changed.alsoRouted } }, { headers: NO_STORE });
  } catch (e) {
    return appErrorResponse(e);
  }
}
