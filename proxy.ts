import { NextResponse, type NextRequest } from "next/server";
import { parseEnv } from "@/lib/config/env";

const PUBLIC_PAGES = ["/login", "/auth/"];

/**
 * Supabase mode: refresh the session cookies on every page request and send signed-out
 * visitors to /login. The compatible APIs (`/api/*`, `/v1/*`) authenticate by key and answer
 * 401 themselves: the proxy does not run for them (it would cost every editor request a
 * session check it has no cookie for). Embedded mode: nothing to do.
 */
export async function proxy(request: NextRequest) {
  const cfg = parseEnv().supabase;
  if (!cfg) return NextResponse.next();
  const { updateSession } = await import("@/lib/auth/supabase/proxy");
  const { response, signedIn } = await updateSession(request, cfg);
  const path = request.nextUrl.pathname;
  const isPage = !path.startsWith("/api/") && !path.startsWith("/v1/");
  if (!signedIn && isPage && !PUBLIC_PAGES.some((p) => path === p || path.startsWith(p))) {
    const url = request.nextUrl.clone();
    url.pathname = "/login";
    url.search = `?next=${encodeURIComponent(path)}`;
    return NextResponse.redirect(url);
  }
  return response;
}

export const config = {
  matcher: ["/((?!api/|v1/|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|jpg|jpeg|gif|webp|ico)$).*)"],
};
