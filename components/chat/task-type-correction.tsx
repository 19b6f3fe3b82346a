"use client";
import { useState, useTransition } from "react";
import { submitFeedback } from "@/app/(chat)/actions";
import { CHAT_TASK_TYPES, type ChatTaskType } from "@/lib/domain/task-types";

const label = (t: string) => t.replace(/_/g, " ");

/** "Wrong task type?": the user says what the request really was; the classifiers learn only from such confirmed labels. */
export function TaskTypeCorrection({ interactionId, classified, stated }: { interactionId: string; classified: string; stated?: string }) {
  const [value, setValue] = useState(stated ?? "");
  const [ack, setAck] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();

  function choose(taskType: ChatTaskType) {
    const before = value;
    setValue(taskType);
    setError(null);
    start(async () => {
      const res = await submitFeedback({ interactionId, taskType });
      if (res.ok) setAck(res.message ?? "Saved.");
      else {
        setValue(before);
        setError(res.error);
      }
    });
  }

  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <select aria-label="Wrong task type? Choose the right one" data-testid="task-type-correction" value={value} disabled={pending}
        onChange={(e) => e.target.value && choose(e.target.value as ChatTaskType)}
        className="rounded border border-zinc-300 bg-white px-1 py-0.5 dark:border-zinc-700 dark:bg-zinc-900">
        <option value="">wrong task type?</option>
        {CHAT_TASK_TYPES.filter((t) => t !== classified || stated).map((t) => (
          <option key={t} value={t}>it was {label(t)}</option>
        ))}
      </select>
      {ack && <span role="status" data-testid="task-type-ack" className="text-green-700 dark:text-green-400">{ack}</span>}
      {error && <span role="alert" className="text-red-700 dark:text-red-400">{error}</span>}
    </span>
  );
}
