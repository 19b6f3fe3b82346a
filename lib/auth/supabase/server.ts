import "server-only";
import { createServerClient } from "@supabase/ssr";
import { cookies } from "next/headers";
import WebSocket from "ws";
import { env } from "@/lib/config/env";

/** A new Supabase client per request (never a global), reading and writing the auth cookies. */
export async function createSupabaseServerClient() {
  const cfg = env().supabase;
  if (!cfg) throw new Error("Supabase Auth is not configured (embedded mode)");
  const cookieStore = await cookies();
  return createServerClient(cfg.url, cfg.key, {
    cookies: {
      getAll: () => cookieStore.getAll(),
      setAll(cookiesToSet) {
        try {
          for (const { name, value, options } of cookiesToSet) cookieStore.set(name, value, options);
        } catch {
          // Called from a Server Component, where cookies are read-only; the proxy refreshes them.
        }
      },
    },
    // supabase-js ≥ 2.110 needs a WebSocket implementation on Node 20.
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
  });
}
