import { type NextRequest, NextResponse } from "next/server";
import { z } from "zod";
import { createSupabaseServerClient } from "@/lib/auth/supabase/server";

const querySchema = z.object({
  token_hash: z.string().min(1),
  type: z.enum(["email", "magiclink", "signup", "recovery", "invite", "email_change"]),
  next: z.string().regex(/^\/[^/\\]/).optional().catch(undefined),
});

/** The magic-link landing: verifies the one-time token, sets the session cookies, redirects. */
export async function GET(request: NextRequest) {
  const parsed = querySchema.safeParse(Object.fromEntries(request.nextUrl.searchParams));
  const fail = (why: string) => NextResponse.redirect(new URL(`/login?error=${encodeURIComponent(why)}`, request.url));
  if (!parsed.success) return fail("The sign-in link is incomplete.");
  const supabase = await createSupabaseServerClient();
  const { error } = await supabase.auth.verifyOtp({ token_hash: parsed.data.token_hash, type: parsed.data.type });
  if (error) return fail(error.message);
  return NextResponse.redirect(new URL(parsed.data.next ?? "/chat", request.url));
}
