"use client";
import { useState, useTransition } from "react";
import { submitFeedback } from "@/app/(chat)/actions";
import { QUICK_TAGS, type Feedback, type ModelChoice } from "@/lib/chat/types";

const btn =
  "rounded px-1.5 py-0.5 text-xs hover:bg-zinc-100 aria-pressed:bg-zinc-900 aria-pressed:text-white dark:hover:bg-zinc-800 dark:aria-pressed:bg-zinc-100 dark:aria-pressed:text-zinc-900";

/** Thumbs, stars, quick tags, a correction and "this model would have been better": each saved at once. */
export function FeedbackBar({
  interactionId,
  model,
  rating: initialRating,
  feedback: initial,
  models,
}: {
  interactionId: string;
  model: string | null;
  rating: number | null;
  feedback: Feedback;
  models: ModelChoice[];
}) {
  const [feedback, setFeedback] = useState<Feedback>(initial);
  const [rating, setRating] = useState<number | null>(initialRating);
  const [ack, setAck] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const [correcting, setCorrecting] = useState(false);
  const [correction, setCorrection] = useState(initial.correction ?? "");

  function save(patch: Parameters<typeof submitFeedback>[0], optimistic: () => void, message: string) {
    const before = { feedback, rating };
    optimistic();
    setError(null);
    start(async () => {
      const res = await submitFeedback(patch);
      if (res.ok) setAck(res.message ?? message);
      else {
        setFeedback(before.feedback);
        setRating(before.rating);
        setError(res.error);
      }
    });
  }

  return (
    <div className="mt-2 flex flex-wrap items-center gap-1 text-zinc-600 dark:text-zinc-400" data-testid="feedback-bar">
      <button type="button" className={btn} aria-label="Good answer" aria-pressed={feedback.thumbs === "up"} data-testid="thumbs-up"
        onClick={() => save({ interactionId, thumbs: "up" }, () => setFeedback((f) => ({ ...f, thumbs: "up" })), "Thanks: marked as good.")}>
        <Thumb up />
      </button>
      <button type="button" className={btn} aria-label="Bad answer" aria-pressed={feedback.thumbs === "down"} data-testid="thumbs-down"
        onClick={() => save({ interactionId, thumbs: "down" }, () => setFeedback((f) => ({ ...f, thumbs: "down" })), "Thanks: marked as not good.")}>
        <Thumb />
      </button>
      <span role="radiogroup" aria-label="Rating" className="ml-1 flex">
        {[1, 2, 3, 4, 5].map((n) => (
          <button key={n} type="button" role="radio" aria-checked={rating === n} aria-label={`${n} star${n > 1 ? "s" : ""}`} data-testid={`star-${n}`}
            className={`px-0.5 text-base ${rating && n <= rating ? "text-amber-500" : "text-zinc-300 dark:text-zinc-600"}`}
            onClick={() => save({ interactionId, rating: n }, () => setRating(n), `Rated ${n} of 5.`)}>
            ★
          </button>
        ))}
      </span>
      {QUICK_TAGS.map((tag) => {
        const on = feedback.tags?.includes(tag) ?? false;
        const tags = on ? (feedback.tags ?? []).filter((t) => t !== tag) : [...(feedback.tags ?? []), tag];
        return (
          <button key={tag} type="button" className={`${btn} border border-zinc-200 dark:border-zinc-700`} aria-pressed={on} data-testid={`tag-${tag.replace(/ /g, "-")}`}
            onClick={() => save({ interactionId, tags }, () => setFeedback((f) => ({ ...f, tags })), on ? `Removed “${tag}”.` : `Tagged “${tag}”.`)}>
            {tag}
          </button>
        );
      })}
      <button type="button" className={btn} onClick={() => setCorrecting((c) => !c)} aria-expanded={correcting} data-testid="correct-toggle">
        Correct it
      </button>
      <label className="flex items-center gap-1 text-xs">
        <span className="sr-only sm:not-sr-only">Better model:</span>
        <select
          data-testid="better-model"
          className="rounded border border-zinc-300 bg-white px-1 py-0.5 text-xs dark:border-zinc-700 dark:bg-zinc-900"
          value={feedback.betterModel ?? ""}
          onChange={(e) => {
            const betterModel = e.target.value;
            if (betterModel) save({ interactionId, betterModel }, () => setFeedback((f) => ({ ...f, betterModel })), `Noted: ${betterModel} would have been better. Similar requests will go there.`);
          }}
        >
          <option value="">—</option>
          {models.filter((m) => m.model !== model).map((m) => (
            <option key={m.model} value={m.model}>{m.label}</option>
          ))}
        </select>
      </label>
      {correcting && (
        <form className="mt-1 flex w-full gap-2" onSubmit={(e) => {
          e.preventDefault();
          save({ interactionId, correction }, () => setFeedback((f) => ({ ...f, correction })), "Correction saved; it will be reviewed for the knowledge base.");
          setCorrecting(false);
        }}>
          <textarea aria-label="Correction" data-testid="correction-text" value={correction} onChange={(e) => setCorrection(e.target.value)} rows={2}
            className="flex-1 rounded border border-zinc-300 bg-white p-1 text-xs dark:border-zinc-700 dark:bg-zinc-900" placeholder="What should the answer have said?" />
          <button type="submit" disabled={!correction.trim()} className="self-end rounded bg-zinc-900 px-2 py-1 text-xs text-white disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900">Save</button>
        </form>
      )}
      <span role="status" aria-live="polite" data-testid="feedback-ack" className="ml-1 text-xs text-green-700 dark:text-green-400">
        {pending ? "Saving…" : ack}
      </span>
      {error && <span role="alert" className="text-xs text-red-600">{error}</span>}
    </div>
  );
}

/** Drawn, not an emoji: Debian's Chromium has no colour emoji font. */
function Thumb({ up = false }: { up?: boolean }) {
  return (
    <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round"
      style={up ? undefined : { transform: "rotate(180deg)" }}>
      <path d="M7 10v11H3V10h4zM7 10l4-8a3 3 0 0 1 3 3v4h5.5a2 2 0 0 1 2 2.3l-1.4 8A2 2 0 0 1 18.1 21H7" />
    </svg>
  );
}
