/**
 * "The same proposal again" (pure): same kind, same target, same change → same fingerprint.
 * The Learning Director does not propose what is already open, and proposes again what an
 * operator declined only on new evidence (lib/learning/director.ts), both by this fingerprint.
 *
 * An instruction counts by its words (case and punctuation aside). A long one keeps its first
 * {@link SLUG_CHARS} characters readable and adds a digest of the whole: two instructions that
 * open alike are two proposals. supabase/migrations/20261213090000_instruction_fingerprints.sql
 * gave proposals recorded before the digest the same form.
 */
import { createHash } from "node:crypto";
import { armKey } from "@/lib/domain";
import type { ProposedChange } from "./proposals";

/** Characters of an instruction's words a fingerprint keeps readable. */
export const SLUG_CHARS = 60;

/** An instruction's words, lower case, joined by "-"; a long one cut, with a digest of the whole. */
export function instructionSlug(instruction: string): string {
  const slug = instruction.toLowerCase().replace(/\W+/g, "-");
  if (slug.length <= SLUG_CHARS) return slug;
  return `${slug.slice(0, SLUG_CHARS)}~${createHash("sha256").update(slug, "utf8").digest("hex").slice(0, 12)}`;
}

/** The proposal's fingerprint; `theme` stands for the instruction when the proposal is a known theme's. */
export function fingerprintOf(change: ProposedChange, theme?: string): string {
  switch (change.type) {
    case "append_instruction":
      // One instruction is one proposal, whichever roles and task types it covers.
      return change.roles || change.taskTypes
        ? `system_prompt:${theme ?? instructionSlug(change.instruction)}`
        : `system_prompt:${change.role}:${change.taskType}:${theme ?? instructionSlug(change.instruction)}`;
    case "set_params":
      return `parameters:${change.model}:${change.taskType}:${armKey(change.params)}`;
    case "prefer_model":
      return `routing_rule:${change.taskType}:${change.model}`;
  }
}
