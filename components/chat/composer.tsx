"use client";
import { useRef } from "react";

/** Enter sends, Shift+Enter is a new line, Esc stops. The text stays when sending fails. */
export function Composer({
  value,
  onChange,
  onSend,
  onStop,
  busy,
  maxTokens,
}: {
  value: string;
  onChange: (v: string) => void;
  onSend: () => void;
  onStop: () => void;
  busy: boolean;
  maxTokens: number;
}) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const estimate = Math.ceil(value.length / 4); // ≈ tokens; the server checks each model exactly
  const tooLong = maxTokens > 0 && estimate > maxTokens;
  const canSend = value.trim().length > 0 && !tooLong && !busy;
  return (
    <form
      className="flex flex-col gap-1"
      onSubmit={(e) => {
        e.preventDefault();
        if (canSend) onSend();
      }}
    >
      {tooLong && (
        <p role="alert" data-testid="too-long" className="text-xs text-red-600">
          This message is about {estimate.toLocaleString("en")} tokens, more than the largest context window of your models
          ({maxTokens.toLocaleString("en")}). Shorten it or attach less.
        </p>
      )}
      <div className="flex items-end gap-2">
        <textarea
          ref={ref}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              if (canSend) onSend();
            } else if (e.key === "Escape" && busy) {
              e.preventDefault();
              onStop();
            }
          }}
          rows={3}
          placeholder="Ask about code, maths, design… (Enter sends, Shift+Enter for a new line, Esc stops)"
          aria-label="Message"
          data-testid="composer"
          className="min-h-[4.5rem] flex-1 resize-y rounded-md border border-zinc-300 bg-white p-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
        />
        {busy ? (
          <button type="button" onClick={onStop} data-testid="stop" className="rounded-md border border-zinc-400 px-3 py-2 text-sm">
            Stop
          </button>
        ) : (
          <button type="submit" disabled={!canSend} data-testid="send"
            className="rounded-md bg-zinc-900 px-3 py-2 text-sm font-medium text-white disabled:opacity-40 dark:bg-zinc-100 dark:text-zinc-900">
            Send
          </button>
        )}
      </div>
    </form>
  );
}
