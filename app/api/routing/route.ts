import { apiRoutingGet, apiRoutingPut } from "@/lib/api/routing";

export const dynamic = "force-dynamic";

/** The models `elite` routes to (roles, embedding, also routed): read with any key, changed by operators; see lib/api/routing.ts. */
export function GET(request: Request) {
  return apiRoutingGet(request);
}

export function PUT(request: Request) {
  return apiRoutingPut(request);
}
