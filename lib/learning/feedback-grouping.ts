import "server-only";
import { embeddingInput, type Roster } from "@/lib/domain";
import { getOllamaPool } from "@/lib/ollama";
import { CALIBRATION_FEEDBACK } from "./calibration-texts";
import { groupByMeaning, MAX_CLUSTERED, type FeedbackGroup } from "./feedback-meaning";
import { classifyTheme } from "./theme-classifier";
import { nameGroup } from "./theme-naming";
import { scaleFrom, withReferences } from "./similarity-scale";
import { THEMES, type FeedbackText } from "./themes";

/**
 * The Learning Director's reading of feedback: free text embedded with the roster's
 * embedding model (nomic's `clustering:` task), grouped by meaning against that model's own
 * background (reference feedback about unrelated things), groups no known theme covers named
 * by the router model, and groups that come out with the same instruction made one. Without
 * the embedding model, only the known themes' tags and phrases group feedback.
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
  const groups = groupByMeaning({ items, vectors, anchors, scale: withReferences(scaleFrom(references), references), classifyTheme });

  const unnamed = groups.filter((g) => !g.instruction && g.members.length >= minGroup);
  for (const [i, g] of unnamed.entries()) {
    if (signal?.aborted) break;
    onNaming?.(i, unnamed.length);
    const named = await nameGroup(roster, g, signal);
    if (named) {
      g.label = named.name;
      g.instruction = named.instruction;
    }
  }
  return { groups: mergeSameInstruction(groups), byMeaning };
}

/** Groups that ask for the same instruction (in any case and spacing) are one group. */
export function mergeSameInstruction(groups: FeedbackGroup[]): FeedbackGroup[] {
  const key = (g: FeedbackGroup) => (g.instruction ? g.instruction.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim() : `#${g.themeId}`);
  const out = new Map<string, FeedbackGroup>();
  for (const g of groups) {
    const k = key(g);
    const seen = out.get(k);
    if (!seen) out.set(k, { ...g, members: [...g.members] });
    else for (const m of g.members) if (!seen.members.some((x) => x.id === m.id)) seen.members.push(m);
  }
  return [...out.values()].sort((a, b) => b.members.length - a.members.length);
}
