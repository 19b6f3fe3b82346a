import type { ReactNode } from "react";

/** A titled panel around one chart; with `empty` set it says why there is nothing to draw. */
export function ChartCard({ title, description, empty, testId, children, wide = false }: {
  title: string;
  description?: string;
  empty: string | null;
  testId: string;
  children: ReactNode;
  wide?: boolean;
}) {
  return (
    <section
      data-testid={testId}
      data-empty={empty ? "true" : "false"}
      aria-label={title}
      className={`min-w-0 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800 ${wide ? "xl:col-span-2" : ""}`}
    >
      <h2 className="text-base font-medium">{title}</h2>
      {description && <p className="mb-3 text-xs text-zinc-500 dark:text-zinc-400">{description}</p>}
      {empty ? (
        <div data-testid="chart-empty" className="flex h-40 items-center justify-center rounded-md border border-dashed border-zinc-300 px-6 text-center text-sm text-zinc-500 dark:border-zinc-700 dark:text-zinc-400">
          {empty}
        </div>
      ) : (
        children
      )}
    </section>
  );
}
