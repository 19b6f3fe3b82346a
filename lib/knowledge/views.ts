/** What the Knowledge page shows (plain data, safe for client components). */
export interface SearchHitView {
  id: string;
  topic: string;
  excerpt: string;
  source: string;
  documentTitle: string | null;
  score: number;
  similarity: number | null;
  textRank: number | null;
  confidence: number;
  /** the share of unrelated reference requests less near the entry than the query (null: no embedding to judge by) */
  closeness: number | null;
  /** whether the entry is related enough to go into a model's prompt for this query (lib/orchestrator/grounding-relevance.ts) */
  grounds: boolean;
}

export interface PendingEntryView {
  id: string;
  topic: string;
  content: string;
  source: string;
  createdAt: string;
  /** "correction": waits to be used at all; "private": used for its user only until shared */
  kind: "correction" | "private";
  /** the Knowledge Manager's advisory opinion on a correction */
  review: { reusable: boolean; reason: string; model: string } | null;
}

/** A row of the review list as the screen shows it. */
export function pendingEntryView(r: { id: string; topic: string; content: string; source: string; created_at: Date | string; status: string; metadata?: unknown }): PendingEntryView {
  const review = (r.metadata as { review?: { reusable?: unknown; reason?: unknown; model?: unknown } } | null)?.review;
  return {
    id: r.id,
    topic: r.topic,
    content: r.content,
    source: r.source,
    createdAt: new Date(r.created_at).toISOString(),
    kind: r.status === "pending" ? "correction" : "private",
    review:
      review && typeof review.reusable === "boolean" && typeof review.reason === "string"
        ? { reusable: review.reusable, reason: review.reason, model: String(review.model ?? "") }
        : null,
  };
}

export type { DocumentView } from "./documents";
export type { UploadOutcome } from "./documents";

/**
 * How near a request is to a knowledge entry, in words, from its closeness (the share of
 * unrelated reference requests less near the entry: lib/orchestrator/grounding-relevance.ts).
 */
export function describeCloseness(closeness: number): string {
  const pct = Math.round(closeness * 100);
  return pct >= 100 ? "nearer than any unrelated request" : `nearer than ${pct}% of unrelated requests`;
}
