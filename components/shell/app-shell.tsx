import Link from "next/link";
import { Suspense, type ReactNode } from "react";
import type { Identity } from "@/lib/auth";
import { Nav } from "./nav";
import { ThemeToggle } from "./theme-toggle";
import { StatusBanner } from "./status-banner";
import { signOut } from "@/app/login/actions";

export function AppShell({ identity, children }: { identity: Identity | null; children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col">
      <Suspense fallback={null}>
        <StatusBanner />
      </Suspense>
      <div className="flex flex-1">
        {identity && (
          <aside className="hidden w-52 shrink-0 flex-col gap-6 border-r border-zinc-200 p-4 sm:flex dark:border-zinc-800">
            <Link href="/chat" className="text-base font-semibold tracking-tight">
              Elite Coding Assistant
            </Link>
            <Nav isOperator={identity.isOperator} />
          </aside>
        )}
        <div className="flex min-w-0 flex-1 flex-col">
          <header className="flex items-center justify-end gap-3 border-b border-zinc-200 px-4 py-2 text-sm dark:border-zinc-800">
            {identity && (
              <span data-testid="identity" className="text-zinc-600 dark:text-zinc-400">
                {identity.email ?? identity.userId}
                {identity.isOperator && (
                  <span className="ml-2 rounded bg-sky-100 px-1.5 py-0.5 text-xs text-sky-900 dark:bg-sky-900 dark:text-sky-100">operator</span>
                )}
              </span>
            )}
            <ThemeToggle />
            {identity?.source === "supabase" && (
              <form action={signOut}>
                <button type="submit" className="rounded-md px-2 py-1 hover:bg-zinc-100 dark:hover:bg-zinc-800">
                  Sign out
                </button>
              </form>
            )}
          </header>
          {identity && (
            <div className="border-b border-zinc-200 px-4 py-2 sm:hidden dark:border-zinc-800">
              <Nav isOperator={identity.isOperator} />
            </div>
          )}
          <main className="flex-1 p-3 sm:p-6">{children}</main>
        </div>
      </div>
    </div>
  );
}
