"use client";
import { createBrowserClient } from "@supabase/ssr";

/** The browser client. Only the public URL and the anon/publishable key reach the browser. */
export function createSupabaseBrowserClient() {
  const url = process.env.NEXT_PUBLIC_SUPABASE_URL;
  const key = process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY || process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY;
  if (!url || !key) throw new Error("Supabase Auth is not configured (embedded mode)");
  return createBrowserClient(url, key);
}
