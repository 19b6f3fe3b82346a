"use server";
import { requireOperator } from "@/lib/auth";
import { withUser } from "@/lib/db";
import { entriesForReview } from "@/lib/db/queries/knowledge";
import { toAppError } from "@/lib/errors";
import { reindexDocument as reindex, removeDocument } from "@/lib/knowledge/documents";
import { approveEntry, rejectEntry } from "@/lib/knowledge/manager";
import { searchKnowledge } from "@/lib/knowledge/search";
import { GROUNDING_MIN_TEXT_RANK } from "@/lib/knowledge/grounding";
import { similarityScale } from "@/lib/learning/similarity-calibration";
import { judgeChunk } from "@/lib/orchestrator/grounding-relevance";
import { currentRoster } from "@/lib/roster/current";
import { pendingEntryView, type PendingEntryView, type SearchHitView } from "@/lib/knowledge/views";
import { idSchema, reviewSchema, searchSchema, type SearchInput } from "./schema";

type Result<T = object> = ({ ok: true } & T) | { ok: false; error: string };

function fail(e: unknown): { ok: false; error: string } {
  return { ok: false, error: toAppError(e).toJSON().message };
}
const firstIssue = (error: { issues: { message: string }[] }) => ({ ok: false as const, error: error.issues[0]?.message ?? "Invalid input" });

export async function deleteDocument(input: { id: string }): Promise<Result> {
  try {
    const identity = await requireOperator();
    const parsed = idSchema.safeParse(input);
    if (!parsed.success) return firstIssue(parsed.error);
    await removeDocument(identity, parsed.data.id);
    return { ok: true };
  } catch (e) {
    return fail(e);
  }
}

export async function reindexDocument(input: { id: string }): Promise<Result> {
  try {
    const identity = await requireOperator();
    const parsed = idSchema.safeParse(input);
    if (!parsed.success) return firstIssue(parsed.error);
    await reindex(identity, parsed.data.id);
    return { ok: true };
  } catch (e) {
    return fail(e);
  }
}

/** What retrieval returns for a query, with its scores (the search preview). */
export async function previewSearch(input: SearchInput): Promise<Result<{ hits: SearchHitView[]; mode: string; warning?: string }>> {
  try {
    const identity = await requireOperator();
    const parsed = searchSchema.safeParse(input);
    if (!parsed.success) return firstIssue(parsed.error);
    const embeddingModel = (await currentRoster()).embedding;
    const [r, references] = await Promise.all([
      searchKnowledge({
        query: parsed.data.query,
        embeddingModel,
        filters: { sources: parsed.data.sources, topic: parsed.data.topic },
        limit: parsed.data.limit ?? 10,
        claims: identity.claims,
        withEmbeddings: true,
      }),
      // How a request's prompt judges each entry (without the embedding model: none is judged).
      similarityScale(embeddingModel).then((s) => s.references ?? [], () => []),
    ]);
    return {
      ok: true,
      mode: r.mode,
      warning: r.warning,
      hits: r.hits.map((h) => ({
        id: h.id,
        topic: h.topic,
        excerpt: h.content.slice(0, 400),
        source: h.source,
        documentTitle: h.documentTitle,
        score: h.score,
        similarity: h.similarity,
        textRank: h.textRank,
        confidence: h.confidence,
        ...judgeChunk(h, references, GROUNDING_MIN_TEXT_RANK),
      })),
    };
  } catch (e) {
    return fail(e);
  }
}

export async function reviewEntry(input: { id: string; decision: "approve" | "reject" }): Promise<Result<{ message: string }>> {
  try {
    const identity = await requireOperator();
    const parsed = reviewSchema.safeParse(input);
    if (!parsed.success) return firstIssue(parsed.error);
    if (parsed.data.decision === "reject") {
      await rejectEntry(identity, parsed.data.id);
      return { ok: true, message: "Rejected." };
    }
    const r = await approveEntry(identity, parsed.data.id);
    return { ok: true, message: r.status === "merged" ? "Approved and merged into a similar entry." : "Approved: it is now used in everyone's answers." };
  } catch (e) {
    return fail(e);
  }
}

export async function pendingEntries(): Promise<Result<{ entries: PendingEntryView[] }>> {
  try {
    const identity = await requireOperator();
    const rows = await withUser(identity.claims, (tx) => entriesForReview(tx));
    return { ok: true, entries: rows.map(pendingEntryView) };
  } catch (e) {
    return fail(e);
  }
}
