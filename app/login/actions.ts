"use server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { env } from "@/lib/config/env";
import { magicLinkSchema, passwordLoginSchema, type LoginState } from "./schema";

// Loaded on demand so the embedded mode never loads supabase-js.
const supabaseClient = async () => (await import("@/lib/auth/supabase/server")).createSupabaseServerClient();

const EMBEDDED = "The embedded mode has no login: you are the local operator.";

function fieldErrors(issues: { path: PropertyKey[]; message: string }[]) {
  return Object.fromEntries(issues.map((i) => [String(i.path[0]), i.message]));
}

export async function signInWithPassword(_prev: LoginState, form: FormData): Promise<LoginState> {
  if (env().mode === "embedded") return { message: EMBEDDED };
  const parsed = passwordLoginSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { error: "Check the highlighted fields.", fields: fieldErrors(parsed.error.issues) };
  const supabase = await supabaseClient();
  const { error } = await supabase.auth.signInWithPassword({ email: parsed.data.email, password: parsed.data.password });
  if (error) return { error: error.message };
  redirect(parsed.data.next ?? "/chat");
}

export async function sendMagicLink(_prev: LoginState, form: FormData): Promise<LoginState> {
  if (env().mode === "embedded") return { message: EMBEDDED };
  const parsed = magicLinkSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { error: "Check the highlighted fields.", fields: fieldErrors(parsed.error.issues) };
  const h = await headers();
  const origin = h.get("origin") ?? `${h.get("x-forwarded-proto") ?? "http"}://${h.get("host")}`;
  const supabase = await supabaseClient();
  const { error } = await supabase.auth.signInWithOtp({
    email: parsed.data.email,
    options: { emailRedirectTo: `${origin}/auth/confirm`, shouldCreateUser: false },
  });
  if (error) return { error: error.message };
  return { message: `A sign-in link is on its way to ${parsed.data.email}.` };
}

export async function signOut(): Promise<void> {
  if (env().mode === "supabase") {
    const supabase = await supabaseClient();
    await supabase.auth.signOut();
  }
  redirect("/login");
}
