"use server";
import { requireUser } from "@/lib/auth";
import { withUser } from "@/lib/db";
import { deleteConversation as dbDelete, listConversations, renameConversation as dbRename } from "@/lib/db/queries/conversations";
import { AppError, toAppError } from "@/lib/errors";
import { learnFromFeedback } from "@/lib/learning/feedback";
import type { ConversationSummary } from "@/lib/chat/types";
import { conversationSummary } from "@/lib/chat/load";
import { feedbackSchema, idSchema, renameSchema, searchSchema, type FeedbackInput } from "./schema";

type Result<T = object> = ({ ok: true } & T) | { ok: false; error: string };

function fail(e: unknown): { ok: false; error: string } {
  const err = toAppError(e);
  return { ok: false, error: err.toJSON().message };
}

function firstIssue(error: { issues: { message: string }[] }): { ok: false; error: string } {
  return { ok: false, error: error.issues[0]?.message ?? "Invalid input" };
}

export async function searchConversations(input: { query: string }): Promise<Result<{ conversations: ConversationSummary[] }>> {
  try {
    const identity = await requireUser();
    const parsed = searchSchema.safeParse(input);
    if (!parsed.success) return firstIssue(parsed.error);
    const rows = await withUser(identity.claims, (tx) => listConversations(tx, { search: parsed.data.query, userId: identity.userId }));
    return { ok: true, conversations: rows.map(conversationSummary) };
  } catch (e) {
    return fail(e);
  }
}

export async function renameConversation(input: { id: string; title: string }): Promise<Result> {
  try {
    const identity = await requireUser();
    const parsed = renameSchema.safeParse(input);
    if (!parsed.success) return firstIssue(parsed.error);
    const ok = await withUser(identity.claims, (tx) => dbRename(tx, parsed.data));
    if (!ok) throw new AppError("not_found:chat", "That conversation does not exist (or is not yours).");
    return { ok: true };
  } catch (e) {
    return fail(e);
  }
}

export async function deleteConversation(input: { id: string }): Promise<Result> {
  try {
    const identity = await requireUser();
    const parsed = idSchema.safeParse(input);
    if (!parsed.success) return firstIssue(parsed.error);
    const ok = await withUser(identity.claims, (tx) => dbDelete(tx, parsed.data));
    if (!ok) throw new AppError("not_found:chat", "That conversation does not exist (or is not yours).");
    return { ok: true };
  } catch (e) {
    return fail(e);
  }
}

/** Saves feedback on one of the user's answers and lets the learning take it in at once. */
export async function submitFeedback(input: FeedbackInput): Promise<Result<{ message?: string }>> {
  try {
    const identity = await requireUser();
    const parsed = feedbackSchema.safeParse(input);
    if (!parsed.success) return firstIssue(parsed.error);
    const outcome = await learnFromFeedback(identity, parsed.data);
    return { ok: true, message: outcome.message };
  } catch (e) {
    return fail(e);
  }
}
