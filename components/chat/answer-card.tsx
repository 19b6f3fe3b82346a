"use client";
import Link from "next/link";
import { useState } from "react";
import { roleLabel } from "@/lib/domain/roles";
import type { ModelChoice, Turn } from "@/lib/chat/types";
import { toolCallsOfAnswer } from "@/lib/chat/tool-call-answer";
import { Markdown } from "./markdown";
import { WhyPanel } from "./why-panel";
import { FeedbackBar } from "./feedback-bar";


export function ErrorNotice({ error }: { error: { code: string; message: string } }) {
  return (
    <div role="alert" data-testid="chat-error" className="rounded-md border border-red-300 bg-red-50 p-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100">
      {error.message}{" "}
      {(error.code.includes("ollama") || error.code === "all_failed") && (
        <Link href="/settings" className="underline">Check the models on Settings</Link>
      )}
    </div>
  );
}

/** The functions an answer called (an editor's agent ran them), each with its arguments. */
function ToolCalls({ calls }: { calls: NonNullable<ReturnType<typeof toolCallsOfAnswer>> }) {
  return (
    <ul data-testid="tool-calls" aria-label="Functions called" className="space-y-1 text-sm">
      {calls.map((c, i) => (
        <li key={i} className="rounded bg-zinc-100 px-2 py-1 dark:bg-zinc-900">
          <span className="text-zinc-500">called </span>
          <code className="font-semibold">{c.function.name}</code>
          <code className="ml-1 break-all text-xs text-zinc-600 dark:text-zinc-400">{JSON.stringify(c.function.arguments)}</code>
        </li>
      ))}
    </ul>
  );
}

export function AnswerCard({
  turn,
  models,
  canPrefer,
  busy,
  onRegenerate,
  onPrefer,
  onCopy,
}: {
  turn: Turn;
  models: ModelChoice[];
  canPrefer: boolean;
  busy: boolean;
  onRegenerate: (turn: Turn, model?: string) => void;
  onPrefer: (turn: Turn) => void;
  onCopy: (turn: Turn) => void;
}) {
  const [pick, setPick] = useState("");
  const d = turn.decision;
  const persisted = !turn.id.startsWith("tmp-");
  // An agent's step through the compatible APIs: the answer called functions instead of writing.
  const calls = turn.response ? toolCallsOfAnswer(turn.response) : null;
  return (
    <article data-testid="answer" data-status={turn.status} data-model={d?.model ?? ""}
      className={`min-w-0 flex-1 rounded-lg border p-3 ${turn.feedback.preferred ? "border-green-500" : "border-zinc-200 dark:border-zinc-800"}`}>
      <header className="mb-1 flex flex-wrap items-center gap-2 text-xs">
        {d && (
          <span data-testid="model-badge" className="rounded-full bg-sky-100 px-2 py-0.5 font-medium text-sky-900 dark:bg-sky-900 dark:text-sky-100">
            {d.model}
            {d.role ? ` · ${roleLabel(d.role, { inSentence: true })}` : ""}
          </span>
        )}
        {turn.status === "streaming" && <span className="animate-pulse text-zinc-500" data-testid="streaming">answering…</span>}
        {turn.status === "cancelled" && <span className="text-zinc-500">stopped</span>}
        {turn.status === "interrupted" && (
          <span data-testid="interrupted" className="rounded-full bg-amber-100 px-2 py-0.5 text-amber-900 dark:bg-amber-900 dark:text-amber-100">interrupted</span>
        )}
        {turn.feedback.preferred && <span className="text-green-700 dark:text-green-400">preferred</span>}
      </header>
      {turn.notices.map((a, i) => (
        <p key={i} role="status" data-testid="fallback-notice" className="mb-1 rounded bg-amber-50 px-2 py-1 text-xs text-amber-900 dark:bg-amber-950 dark:text-amber-100">
          {a.model} could not answer ({a.reason}{a.message ? `: ${a.message}` : ""}); the next model takes over.
        </p>
      ))}
      {calls ? (
        <ToolCalls calls={calls} />
      ) : turn.response ? (
        <Markdown text={turn.response} onCopy={() => onCopy(turn)} />
      ) : turn.status === "streaming" ? null : (
        !turn.error && <p className="text-sm text-zinc-500">(no answer)</p>
      )}
      {d?.knowledge && d.knowledge.length > 0 && turn.status !== "streaming" && (
        <p data-testid="answer-sources" className="mt-1 text-xs text-zinc-500">
          Sources: {d.knowledge.map((k, i) => `[${i + 1}] ${k.topic}`).join(" · ")}
        </p>
      )}
      {turn.error && <ErrorNotice error={turn.error} />}
      {d && turn.status !== "streaming" && <WhyPanel decision={d} correction={persisted ? { interactionId: turn.id, stated: turn.feedback.taskType } : undefined} implicit={turn.feedback.implicit?.signal} />}
      {persisted && turn.status !== "streaming" && (
        <>
          <FeedbackBar interactionId={turn.id} model={d?.model ?? null} rating={turn.rating} feedback={turn.feedback} models={models} />
          <div className="mt-2 flex flex-wrap items-center gap-2 text-xs">
            <button type="button" disabled={busy} data-testid="regenerate" onClick={() => onRegenerate(turn)}
              className="rounded border border-zinc-300 px-2 py-0.5 disabled:opacity-50 dark:border-zinc-700">
              Regenerate
            </button>
            <select aria-label="Regenerate with another model" data-testid="regenerate-model" value={pick} onChange={(e) => setPick(e.target.value)}
              className="rounded border border-zinc-300 bg-white px-1 py-0.5 dark:border-zinc-700 dark:bg-zinc-900">
              <option value="">with model…</option>
              {models.map((m) => (
                <option key={m.model} value={m.model}>{m.label}</option>
              ))}
            </select>
            <button type="button" disabled={busy || !pick} data-testid="regenerate-with" onClick={() => onRegenerate(turn, pick)}
              className="rounded border border-zinc-300 px-2 py-0.5 disabled:opacity-50 dark:border-zinc-700">
              Go
            </button>
            {canPrefer && !turn.feedback.preferred && (
              <button type="button" data-testid="prefer" onClick={() => onPrefer(turn)}
                className="rounded border border-green-600 px-2 py-0.5 text-green-700 dark:text-green-400">
                This one is better
              </button>
            )}
          </div>
        </>
      )}
    </article>
  );
}
