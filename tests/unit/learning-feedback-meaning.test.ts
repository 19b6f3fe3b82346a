import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { groupByMeaning } from "../../lib/learning/feedback-meaning";
import { withReferences } from "../../lib/learning/similarity-scale";
import { mergeSameInstruction } from "../../lib/learning/feedback-grouping";
import { quotedInstruction, replaceGenericDrafts } from "../../lib/learning/generic-drafts";
import type { FeedbackText } from "../../lib/learning/themes";
import { classifyTheme, THEME_LABELS } from "../../lib/learning/theme-classifier";
import { SURE } from "../../lib/learning/linear-text-classifier";

/**
 * Grouping by meaning on hand-made vectors: direction = meaning. Unrelated texts get
 * orthogonal directions; wordings of one complaint share a direction plus their own noise.
 */
const DIM = 64;
const axis = (k: number, w = 1) => Array.from({ length: DIM }, (_, i) => (i === k ? w : 0));
const add = (...vs: number[][]) => vs.reduce((a, v) => a.map((x, i) => x + v[i]));
const item = (id: string, text: string, taskType = "code_generation", userId = `u${id}`): FeedbackText => ({ id, model: "m", taskType, tags: [], text, userId });
// Background: unrelated feedback is nearly orthogonal (190 pairs, the closest at 0.05).
const scale = { background: Float64Array.from({ length: 190 }, (_, i) => (i < 180 ? 0 : 0.05)).sort() };

describe("feedback grouped by meaning", () => {
  it("puts differently worded complaints with one meaning in one group, across task types, and leaves one-offs alone", () => {
    const complaint = Array.from({ length: 6 }, (_, i) => item(`c${i}`, `wording ${i}`, i % 2 ? "debugging" : "code_generation"));
    const vectors = new Map<string, number[]>([
      ...complaint.map((c, i) => [c.id, add(axis(0, 1), axis(10 + i, 0.6))] as [string, number[]]),
      ["x", axis(30)],
      ["y", axis(31)],
    ]);
    const groups = groupByMeaning({ items: [...complaint, item("x", "one-off"), item("y", "another")], vectors, anchors: new Map(), scale });
    expect(groups).toHaveLength(1);
    expect(groups[0].members.map((m) => m.id).sort()).toEqual(complaint.map((c) => c.id).sort());
    expect(groups[0].instruction).toBeNull(); // for the router model to draft
    expect(new Set(groups[0].members.map((m) => m.taskType))).toEqual(new Set(["code_generation", "debugging"]));
  });

  it("the theme classifier seeds a known theme when it is sure, with or without embeddings", () => {
    const sure = (theme: string, p: number) => () => ({ [theme]: p, other: 1 - p });
    const items = [item("a", "give me a way to check this automatically"), item("b", "and prove it with a suite")];
    const seeded = groupByMeaning({ items, vectors: new Map(), anchors: new Map(), scale, classifyTheme: sure("needs_tests", SURE + 0.05) });
    expect(seeded.map((g) => g.themeId)).toEqual(["needs_tests"]);
    expect(seeded[0].members.map((m) => m.id)).toEqual(["a", "b"]);
    expect(groupByMeaning({ items, vectors: new Map(), anchors: new Map(), scale, classifyTheme: sure("needs_tests", SURE - 0.05) })).toEqual([]);
  });

  it("the shipped theme classifier reads comments it was not trained on", () => {
    const top = (text: string) => {
      const p = classifyTheme(text);
      expect(Object.keys(p)).toEqual([...THEME_LABELS]);
      return Object.entries(p).sort((a, b) => b[1] - a[1])[0][0];
    };
    expect(top("give me a test suite for it")).toBe("needs_tests");
    expect(top("declare the types of all the arguments")).toBe("needs_types");
    expect(top("thanks, works great")).toBe("other");
  });

  it("the shipped theme classifier tells asking for more detail from asking for less (none of these is trained on)", () => {
    const top = (text: string) => Object.entries(classifyTheme(text)).sort((a, b) => b[1] - a[1])[0][0];
    // "detail" alone once meant too long: a user who wanted more would have been told to be concise.
    for (const more of ["can you explain that more thoroughly", "more context on why would be great", "elaborate on why this works", "I need a more detailed walkthrough of the code"])
      expect(top(more), more).toBe("needs_comments");
    for (const less of ["way too detailed", "less detail please", "could you trim the detail"]) expect(top(less), less).toBe("too_long");
  });

  it("the shipped theme classifier is right on at least 90% of the held-out comments (bench/feedback/data/feedback-themes.test.jsonl, never trained on)", () => {
    const rows = fs
      .readFileSync(path.resolve(import.meta.dirname, "../../bench/feedback/data/feedback-themes.test.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { text: string; theme: string });
    expect(rows.length).toBeGreaterThanOrEqual(200);
    const right = rows.filter((r) => Object.entries(classifyTheme(r.text)).sort((a, b) => b[1] - a[1])[0][0] === r.theme).length;
    expect(right / rows.length).toBeGreaterThanOrEqual(0.9);
  });

  it("feedback near a known theme's examples joins that theme, in whatever words", () => {
    const vectors = new Map([["a", add(axis(5), axis(20, 0.3))], ["b", add(axis(5), axis(21, 0.3))], ["z", axis(33)]]);
    const anchors = new Map([["needs_tests", [axis(5)]]]);
    const groups = groupByMeaning({ items: [item("a", "nothing checks this works"), item("b", "how would I know it is right?"), item("z", "thanks")], vectors, anchors, scale });
    expect(groups.map((g) => g.themeId)).toEqual(["needs_tests"]);
    expect(groups[0].members.map((m) => m.id)).toEqual(["a", "b"]);
    expect(groups[0].instruction).toMatch(/unit tests/i);
  });

  it("the embedding alone does not place feedback in a known theme the theme classifier is sure it is not", () => {
    const vectors = new Map([["a", add(axis(5), axis(20, 0.3))], ["b", add(axis(5), axis(21, 0.3))], ["c", add(axis(5), axis(22, 0.3))]]);
    const anchors = new Map([["needs_tests", [axis(5)]]]);
    const items = [item("a", "use pathlib instead of os.path"), item("b", "please use pathlib"), item("c", "pathlib, not os.path")];
    const other = (p: number) => () => ({ needs_tests: 1 - p, other: p });
    // Sure it is none of the known themes: the three stay a group of their own, for the router model to name.
    const vetoed = groupByMeaning({ items, vectors, anchors, scale, classifyTheme: other(SURE + 0.05) });
    expect(vetoed.map((g) => [g.themeId, g.members.length])).toEqual([["meaning:1", 3]]);
    // Not sure: the embedding's closeness to the theme decides, as before.
    const placed = groupByMeaning({ items, vectors, anchors, scale, classifyTheme: other(SURE - 0.05) });
    expect(placed.map((g) => [g.themeId, g.members.length])).toEqual([["needs_tests", 3]]);
  });

  it("closeness to a theme is read against the theme's own closeness to unrelated feedback, not against pairs of wordings", () => {
    // The theme's examples (axes 5 and 6) average to a centroid that every reference leans towards a little (0.4 on axis 5).
    const anchors = new Map([["needs_tests", [add(axis(5), axis(6)), add(axis(5), axis(6, -1))]]]);
    const references = Array.from({ length: 20 }, (_, i) => add(axis(5, 0.4), axis(40 + i)));
    const calibrated = withReferences(scale, references);
    // "a" is a little less close to the centroid than the references are: by pairs of wordings that is near (above 0.05), not for this theme.
    const vectors = new Map([["a", add(axis(5, 0.35), axis(34))], ["b", add(axis(5), axis(35, 0.3))]]);
    const items = [item("a", "the colour should be british"), item("b", "nothing checks this works")];
    const groups = groupByMeaning({ items, vectors, anchors, scale: calibrated });
    expect(groups.map((g) => [g.themeId, g.members.map((m) => m.id)])).toEqual([["needs_tests", ["b"]]]);
    // Read against pairs alone (no references), "a" would have joined too.
    const uncalibrated = groupByMeaning({ items, vectors, anchors, scale });
    expect(uncalibrated.find((g) => g.themeId === "needs_tests")?.members.map((m) => m.id).sort()).toEqual(["a", "b"]);
  });

  it("without embeddings, tags and telling phrases still group; two groups drafted with one instruction become one", () => {
    const groups = groupByMeaning({ items: [{ ...item("1", ""), tags: ["too long"] }, item("2", "way too verbose"), item("3", "use recursion")], vectors: new Map(), anchors: new Map(), scale });
    expect(groups.map((g) => [g.themeId, g.members.map((m) => m.id)])).toEqual([["too_long", ["1", "2"]]]);
    const merged = mergeSameInstruction([
      { themeId: "meaning:1", label: "a", instruction: "Use async/await.", members: [item("1", "x")], samples: [] },
      { themeId: "meaning:2", label: "b", instruction: "use  async/await", members: [item("2", "y"), item("1", "x")], samples: [] },
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0].members.map((m) => m.id)).toEqual(["1", "2"]);
  });
});

describe("a draft shared by groups that are not alike (replaceGenericDrafts)", () => {
  const scaleWithRefs = withReferences(scale, Array.from({ length: 20 }, (_, k) => axis(40 + k)));
  const group = (themeId: string, members: FeedbackText[], instruction: string | null) => ({ themeId, label: themeId, instruction, members, samples: [] as string[] });

  it("quotes each group's most typical comment instead, when the groups mean different things", () => {
    const a = group("meaning:1", [item("a1", "use async/await"), item("a2", "please use async/await not then"), item("a3", "no .then chains")], "feedback from users");
    const b = group("meaning:2", [item("b1", "log with logging"), item("b2", "use the logging module, not print"), item("b3", "no prints")], "Feedback from users.");
    const vectors = new Map<string, number[]>([
      ["a1", add(axis(0), axis(10, 0.2))],
      ["a2", axis(0)],
      ["a3", add(axis(0), axis(11, 0.2))],
      ["b1", add(axis(1), axis(12, 0.2))],
      ["b2", axis(1)],
      ["b3", add(axis(1), axis(13, 0.2))],
    ]);
    const replaced = replaceGenericDrafts([a, b], new Set([a, b]), vectors, scaleWithRefs);
    expect(replaced).toEqual([a, b]);
    expect(a.instruction).toBe(quotedInstruction("please use async/await not then")); // the medoid
    expect(b.instruction).toBe(quotedInstruction("use the logging module, not print"));
    expect(mergeSameInstruction([a, b])).toHaveLength(2);
  });

  it("keeps the draft (and the merge) when the groups are two clusters of one complaint; never touches a known theme's instruction", () => {
    const a = group("meaning:1", [item("a1", "x"), item("a2", "y")], "Use async/await.");
    const b = group("meaning:2", [item("b1", "z"), item("b2", "w")], "use async/await");
    const near = new Map<string, number[]>([
      ["a1", add(axis(0), axis(10, 0.3))],
      ["a2", add(axis(0), axis(11, 0.3))],
      ["b1", add(axis(0), axis(12, 0.3))],
      ["b2", add(axis(0), axis(13, 0.3))],
    ]);
    expect(replaceGenericDrafts([a, b], new Set([a, b]), near, scaleWithRefs)).toEqual([]);
    expect(mergeSameInstruction([a, b])).toHaveLength(1);

    const theme = group("needs_comments", [item("t1", "comment it")], "Add comments and explanations.");
    const copy = group("meaning:3", [item("c1", "other thing")], "add comments and explanations");
    const far = new Map<string, number[]>([["t1", axis(2)], ["c1", axis(3)]]);
    const replaced = replaceGenericDrafts([theme, copy], new Set([copy]), far, scaleWithRefs);
    expect(replaced).toEqual([copy]);
    expect(theme.instruction).toBe("Add comments and explanations.");
    // Without embeddings there is nothing to judge by: the drafts decide.
    const d = group("meaning:4", [item("d1", "p")], "Same.");
    const e = group("meaning:5", [item("e1", "q")], "same");
    expect(replaceGenericDrafts([d, e], new Set([d, e]), new Map(), scaleWithRefs)).toEqual([]);
  });
});
