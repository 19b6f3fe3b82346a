"use client";
import { useActionState } from "react";
import { sendMagicLink, signInWithPassword } from "./actions";
import type { LoginState } from "./schema";

const input =
  "w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900";

export function LoginForm({ next }: { next?: string }) {
  const [pwState, pwAction, pwPending] = useActionState<LoginState, FormData>(signInWithPassword, {});
  const [mlState, mlAction, mlPending] = useActionState<LoginState, FormData>(sendMagicLink, {});
  return (
    <div className="flex flex-col gap-8">
      <form action={pwAction} className="flex flex-col gap-3" aria-label="Sign in with password">
        {next && <input type="hidden" name="next" value={next} />}
        <label className="flex flex-col gap-1 text-sm">
          Email
          <input className={input} name="email" type="email" autoComplete="email" required aria-invalid={!!pwState.fields?.email} />
          {pwState.fields?.email && <span className="text-red-600">{pwState.fields.email}</span>}
        </label>
        <label className="flex flex-col gap-1 text-sm">
          Password
          <input className={input} name="password" type="password" autoComplete="current-password" required aria-invalid={!!pwState.fields?.password} />
          {pwState.fields?.password && <span className="text-red-600">{pwState.fields.password}</span>}
        </label>
        {pwState.error && <p role="alert" className="text-sm text-red-600">{pwState.error}</p>}
        {pwState.message && <p role="status" className="text-sm">{pwState.message}</p>}
        <button disabled={pwPending} className="rounded-md bg-zinc-900 px-3 py-2 text-sm font-medium text-white disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900">
          {pwPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <form action={mlAction} className="flex flex-col gap-3" aria-label="Sign in with a magic link">
        <label className="flex flex-col gap-1 text-sm">
          Or get a sign-in link by email
          <input className={input} name="email" type="email" autoComplete="email" required />
          {mlState.fields?.email && <span className="text-red-600">{mlState.fields.email}</span>}
        </label>
        {mlState.error && <p role="alert" className="text-sm text-red-600">{mlState.error}</p>}
        {mlState.message && <p role="status" className="text-sm">{mlState.message}</p>}
        <button disabled={mlPending} className="rounded-md border border-zinc-300 px-3 py-2 text-sm font-medium disabled:opacity-50 dark:border-zinc-700">
          {mlPending ? "Sending…" : "Email me a link"}
        </button>
      </form>
    </div>
  );
}
