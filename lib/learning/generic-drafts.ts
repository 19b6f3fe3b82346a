/**
 * A guard on the router model's drafts (pure). Groups of feedback that come out with the same
 * instruction are made one group (lib/learning/feedback-grouping.ts): two clusters of one
 * complaint, worded apart. But a draft that fits anything ("Improve the answer.", or a stand-in
 * that echoes the prompt) would join complaints that have nothing to do with each other. So
 * one instruction for two groups counts as the same complaint only when the groups are also
 * alike: their centroids nearer each other than all but {@link SAME_COMPLAINT} of the
 * unrelated reference feedback is to either, under the embedding model in use. Otherwise the
 * draft said nothing specific to either group, and each group gets an instruction that quotes
 * its most typical comment (its medoid), for the operator to read and judge.
 */
import { SAME_COMPLAINT, type FeedbackGroup } from "./feedback-meaning";
import { closerThan, scaleAround, type SimilarityScale } from "./similarity-scale";
import { dot, unit } from "./vectors";

/** At most this many characters of the comment a quoted instruction carries. */
export const QUOTE_CHARS = 200;

/** The normalised instruction: groups with one key ask for the same thing in words. */
export function instructionKey(instruction: string): string {
  return instruction.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
}

/** An instruction quoting a group's most typical comment (the quote first: proposals are told apart by their opening words). */
export function quotedInstruction(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  const quote = t.length > QUOTE_CHARS ? `${t.slice(0, QUOTE_CHARS - 1)}…` : t;
  return `“${quote}”: users have asked for this more than once; follow it where it applies.`;
}

/**
 * Replaces, in place, the drafted instruction of every group that shares it with a group not
 * alike (see the module's doc) by one quoting its medoid. Only `drafted` groups (the router
 * model's; a known theme's instruction is written by hand) with embedded members are changed.
 * Returns the groups whose draft was replaced.
 */
export function replaceGenericDrafts(
  groups: readonly FeedbackGroup[],
  drafted: ReadonlySet<FeedbackGroup>,
  vectors: ReadonlyMap<string, readonly number[]>,
  scale: SimilarityScale,
): FeedbackGroup[] {
  const centroid = new Map<FeedbackGroup, number[]>();
  for (const g of groups) {
    const vs = g.members.flatMap((m) => (vectors.has(m.id) ? [unit(vectors.get(m.id)!)] : []));
    if (vs.length) centroid.set(g, unit(vs.reduce((a, v) => a.map((x, i) => x + v[i]))));
  }
  const alike = (a: FeedbackGroup, b: FeedbackGroup) => {
    const ca = centroid.get(a);
    const cb = centroid.get(b);
    if (!ca || !cb) return true; // nothing to judge by: the drafts decide, as without embeddings
    const s = dot(ca, cb);
    return Math.min(closerThan(scaleAround(scale, ca), s), closerThan(scaleAround(scale, cb), s)) >= SAME_COMPLAINT;
  };
  const generic = new Set<FeedbackGroup>();
  for (const [i, a] of groups.entries()) {
    for (const b of groups.slice(i + 1)) {
      if (!a.instruction || !b.instruction || instructionKey(a.instruction) !== instructionKey(b.instruction)) continue;
      if (alike(a, b)) continue;
      for (const g of [a, b]) if (drafted.has(g) && centroid.has(g)) generic.add(g);
    }
  }
  for (const g of generic) g.instruction = quotedInstruction(medoid(g, vectors).text);
  return [...generic];
}

/** The member whose embedding is, on average, nearest the others' (the first without embeddings). */
function medoid(g: FeedbackGroup, vectors: ReadonlyMap<string, readonly number[]>) {
  const withVec = g.members.filter((m) => vectors.has(m.id) && m.text.trim());
  if (withVec.length === 0) return g.members[0];
  const us = withVec.map((m) => unit(vectors.get(m.id)!));
  let best = 0;
  let bestScore = -Infinity;
  us.forEach((u, i) => {
    const score = us.reduce((s, v) => s + dot(u, v), 0);
    if (score > bestScore) (bestScore = score), (best = i);
  });
  return withVec[best];
}
