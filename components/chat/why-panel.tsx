import type { Decision } from "@/lib/chat/events";
import { TaskTypeCorrection } from "./task-type-correction";
import { describeCloseness } from "@/lib/knowledge/views";

const REASON: Record<Decision["reason"], string> = {
  policy: "the learned routing policy",
  pattern: "a learned routing pattern",
  rule: "a routing rule an operator approved",
  forced: "your choice of model",
  regenerate: "a regenerate request",
};

/** "Why this model": everything the orchestrator decided for this answer. */
const IMPLICIT: Record<"failed" | "thanks" | "rephrase" | "abandoned", string> = {
  failed: "your next message said it did not work (counted as a poor outcome)",
  rephrase: "you asked again in other words (counted as a weak poor outcome)",
  thanks: "your next message said it worked (counted as a good outcome)",
  abandoned: "the checks found this answer broken and you left it there (counted as a weak poor outcome)",
};

export function WhyPanel({
  decision,
  correction,
  implicit,
}: {
  decision: Decision;
  correction?: { interactionId: string; stated?: string };
  /** what the next message said about this answer */
  implicit?: keyof typeof IMPLICIT;
}) {
  return (
    <details className="mt-2 text-xs text-zinc-600 dark:text-zinc-400" data-testid="why-panel">
      <summary className="cursor-pointer select-none">Why this model?</summary>
      {decision.summary && <p className="mt-2" data-testid="why-summary">{decision.summary}</p>}
      <dl className="mt-2 grid grid-cols-[9rem_1fr] gap-x-2 gap-y-1">
        <dt>Task type</dt>
        <dd data-testid="why-task-type">
          {decision.taskType} ({Math.round(decision.confidence * 100)}% confident{decision.followUp ? ", read with your request before it" : ""}){" "}
          {correction && <TaskTypeCorrection interactionId={correction.interactionId} classified={decision.taskType} stated={correction.stated} />}
        </dd>
        <dt>Classifiers</dt>
        <dd>
          {decision.voters.map((v) => `${v.name}: ${v.taskType} ${Math.round(v.confidence * 100)}%`).join(" · ") || "—"}
          {decision.routerMissed && (
            <span data-testid="why-router-missed" className="block">
              {decision.routerMissed === "busy"
                ? "The router model was asked but was busy answering others; the request did not wait for those answers to end (a second at most), the others decided."
                : "The router model was asked but did not answer; the others decided."}
            </span>
          )}
        </dd>
        <dt>Chosen by</dt>
        <dd data-testid="why-reason">
          {REASON[decision.reason]}
          {decision.explored && " (exploring: trying a less certain model to learn)"}
          {decision.draw && (
            <span data-testid="why-draw" className="block">
              It drew {decision.draw.model} with a {Math.round(decision.draw.propensity * 100)}% chance, among {decision.draw.eligible.join(", ")}
              {decision.draw.table && decision.draw.table !== decision.draw.model ? `; the role table would have asked ${decision.draw.table}` : ""}.
            </span>
          )}
          {decision.draw?.failing?.length ? (
            <span data-testid="why-failing" className="block">
              Weighed against for failing lately: {decision.draw.failing.map((f) => `${f.model} (predicted to fail ${Math.round(f.risk * 100)}% of requests like this)`).join(", ")}.
            </span>
          ) : null}
        </dd>
        {decision.pattern && (
          <>
            <dt>Pattern followed</dt>
            <dd data-testid="why-pattern">
              {decision.pattern.scope === "yours" ? "taught by your feedback" : "taught by several users' feedback"}: this request is
              {decision.pattern.closerThan !== undefined
                ? ` nearer to a request it covers than to ${Math.round(decision.pattern.closerThan * 100)}% of a set of unrelated reference requests`
                : ` ${Math.round(decision.pattern.similarity * 100)}% similar to requests it covers`}
              ; it has held {Math.round(decision.pattern.confidence * 100)}% of the time.
              {decision.pattern.overrodeRule && (
                <span data-testid="why-pattern-overrode" className="block font-medium">
                  It took precedence over an approved routing rule that prefers {decision.pattern.overrodeRule}.
                </span>
              )}
            </dd>
          </>
        )}
        {decision.means && (
          <>
            <dt>Expected success</dt>
            <dd data-testid="why-means">
              {Object.entries(decision.means)
                .sort((a, b) => b[1] - a[1])
                .map(([m, p]) => `${m} ${Math.round(p * 100)}%`)
                .join(" · ")}
            </dd>
          </>
        )}
        <dt>Fallback chain</dt>
        <dd>{decision.chain.join(" → ") || "—"}</dd>
        {decision.skipped.length > 0 && (
          <>
            <dt>Skipped</dt>
            <dd>{decision.skipped.map((s) => `${s.model} (${s.reason})`).join(", ")}</dd>
          </>
        )}
        {decision.attempts.length > 0 && (
          <>
            <dt>Attempts</dt>
            <dd data-testid="why-attempts">
              <ol className="list-decimal pl-4">
                {decision.attempts.map((a, i) => (
                  <li key={i}>
                    {a.model}: {a.ok ? "answered" : `${a.reason}${a.message ? ` — ${a.message}` : ""}`} ({Math.round(a.ms)} ms
                    {a.cold ? ", loaded first" : ""}
                    {a.budget ? `; waited at most ${(a.budget.firstTokenMs / 1000).toFixed(1)} s for a first token, learned from ${a.budget.from} answers` : ""})
                  </li>
                ))}
              </ol>
            </dd>
          </>
        )}
        {implicit && (
          <>
            <dt>Learned since</dt>
            <dd data-testid="why-implicit">{IMPLICIT[implicit]}</dd>
          </>
        )}
        <dt>Parameters</dt>
        <dd>{Object.entries(decision.params).map(([k, v]) => `${k}=${v}`).join(", ") || "model defaults"}</dd>
        <dt>Prompt version</dt>
        <dd>{decision.configVersion ? `v${decision.configVersion} (production)` : "—"}</dd>
        {decision.knowledge && decision.knowledge.length > 0 && (
          <>
            <dt>Knowledge used</dt>
            <dd data-testid="why-knowledge" title="Knowledge goes into the prompt only when the request is nearer to it, by the embedding model's own measure, than almost all of a set of unrelated requests are.">
              {decision.knowledge
                .map((k) => `${k.topic} (${k.closeness === undefined ? `score ${k.score.toFixed(2)}` : describeCloseness(k.closeness)})`)
                .join(", ")}
            </dd>
          </>
        )}
      </dl>
    </details>
  );
}
