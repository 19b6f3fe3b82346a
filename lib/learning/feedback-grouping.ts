import "server-only";
import { embeddingInput, type Roster } from "@/lib/domain";
import { getOllamaPool } from "@/lib/ollama";
import { CALIBRATION_FEEDBACK } from "./calibration-texts";
import { groupByMeaning, MAX_CLUSTERED, type FeedbackGroup } from "./feedback-meaning";
import { instructionKey, replaceGenericDrafts } from "./generic-drafts";
import { classifyTheme } from "./theme-classifier";
import { nameGroup } from "./theme-naming";
import { scaleFrom, withReferences } from "./similarity-scale";
import { THEMES, type FeedbackText } from "./themes";

/**
 * The Learning Director's reading of feedback: free text embedded with the roster's
 * embedding model (nomic's `clustering:` task), grouped by meaning against that model's own
 * background (reference feedback about unrelated things), groups no known theme covers named
 * by the router model, and groups that come out with the same instruction made one when they
 * are alike (a draft shared by groups that are not says nothing specific: each quotes its own
 * most typical comment instead, lib/learning/generic-drafts.ts). Without the embedding model,
 * only the known themes' tags and phrases group feedback.
 */
export async function groupFeedbackForAnalysis(
  items: FeedbackText[],
  roster: Roster,
  { signal, minGroup, onNaming }: { signal?: AbortSignal; minGroup: number; onNaming?: (i: number, n: number) => void },
): Promise<{ groups: FeedbackGroup[]; byMeaning: boolean }> {
  const model = roster.embedding;
  const texts = items.filter((f) => f.text.trim()).slice(-MAX_CLUSTERED);
  const examples = THEMES.flatMap((t) => t.examples.map((e) => ({ theme: t.id, e })));
  let vectors = new Map<string, number[]>();
  const anchors = new Map<string, number[][]>();
  let references: number[][] = [];
  try {
    const input = [...texts.map((f) => f.text.slice(0, 2000)), ...examples.map((x) => x.e), ...CALIBRATION_FEEDBACK].map((t) => embeddingInput(model, "clustering", t));
    const { embeddings } = await getOllamaPool().embed({ model, input, signal });
    vectors = new Map(texts.map((f, i) => [f.id, embeddings[i]]));
    examples.forEach((x, i) => anchors.set(x.theme, [...(anchors.get(x.theme) ?? []), embeddings[texts.length + i]]));
    references = embeddings.slice(texts.length + examples.length);
  } catch {
    vectors = new Map(); // seeds by words only
  }
  const byMeaning = vectors.size > 0;
  const scale = withReferences(scaleFrom(references), references);
  const groups = groupByMeaning({ items, vectors, anchors, scale, classifyTheme });

  const unnamed = groups.filter((g) => !g.instruction && g.members.length >= minGroup);
  const drafted = new Map<FeedbackGroup, string>(); // each drafted group's label before naming
  for (const [i, g] of unnamed.entries()) {
    if (signal?.aborted) break;
    onNaming?.(i, unnamed.length);
    const named = await nameGroup(roster, g, signal);
    if (named) {
      drafted.set(g, g.label);
      g.label = named.name;
      g.instruction = named.instruction;
    }
  }
  // A name from a draft that fitted another complaint as well fits neither: the group keeps its own.
  for (const g of replaceGenericDrafts(groups, new Set(drafted.keys()), vectors, scale)) g.label = drafted.get(g) ?? g.label;
  return { groups: mergeSameInstruction(groups), byMeaning };
}

/** Groups that ask for the same instruction (in any case and spacing) are one group. */
export function mergeSameInstruction(groups: FeedbackGroup[]): FeedbackGroup[] {
  const key = (g: FeedbackGroup) => (g.instruction ? instructionKey(g.instruction) : `#${g.themeId}`);
  const out = new Map<string, FeedbackGroup>();
  for (const g of groups) {
    const k = key(g);
    const seen = out.get(k);
    if (!seen) out.set(k, { ...g, members: [...g.members] });
    else for (const m of g.members) if (!seen.members.some((x) => x.id === m.id)) seen.members.push(m);
  }
  return [...out.values()].sort((a, b) => b.members.length - a.members.length);
}
