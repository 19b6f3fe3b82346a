import type { ReactNode } from "react";

/** A page whose feature is not built yet says so, and says what is coming. */
export function Placeholder({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  return (
    <section data-testid={testId} className="max-w-2xl">
      <h1 className="mb-3 text-2xl font-semibold">{title}</h1>
      <div className="space-y-2 text-sm text-zinc-600 dark:text-zinc-400">{children}</div>
    </section>
  );
}
