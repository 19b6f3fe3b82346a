import type { DiffEntry } from "@/lib/learning/proposals";

/** An unchanged run longer than a few lines keeps its start and end. */
const elide = (s: string) => (s.length > 320 ? `${s.slice(0, 150)} … ${s.slice(-150)}` : s);

const show = (v: unknown) => (v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

/** A configuration diff: per changed path, removed text struck red, added text green. */
export function ConfigDiff({ entries, testId = "config-diff" }: { entries: DiffEntry[]; testId?: string }) {
  if (entries.length === 0) return <p className="text-xs text-zinc-500" data-testid={testId}>No differences.</p>;
  return (
    <ul className="space-y-2 text-xs" data-testid={testId}>
      {entries.map((e) => (
        <li key={e.path} className="rounded border border-zinc-200 p-2 dark:border-zinc-800">
          <div className="mb-1 font-mono text-zinc-500">{e.path}</div>
          {e.text ? (
            <pre className="whitespace-pre-wrap font-mono">
              {e.text.map((part, i) =>
                part.op === "removed" ? (
                  <del key={i} className="bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300">{part.value}</del>
                ) : part.op === "added" ? (
                  <ins key={i} className="bg-green-100 text-green-800 no-underline dark:bg-green-950 dark:text-green-300">{part.value}</ins>
                ) : (
                  <span key={i}>{elide(part.value)}</span>
                ),
              )}
            </pre>
          ) : (
            <div className="font-mono">
              <del className="text-red-700">{show(e.before)}</del> → <ins className="text-green-700 no-underline">{show(e.after)}</ins>
            </div>
          )}
        </li>
      ))}
    </ul>
  );
}
