/**
 * Themes in feedback (pure): quick tags and free text (tags, corrections) grouped by known
 * themes (tag or keyword match); what matches none is grouped by its most telling word, and
 * the router model may later name such a group. Each known theme carries the instruction a
 * system prompt gets when operators accept the theme's proposal.
 */
export interface ThemeDef {
  id: string;
  label: string;
  tags: string[];
  keywords: RegExp;
  /** Appended to the system prompt of the (model, task type) the theme is about. */
  instruction: string;
}

export const THEMES: readonly ThemeDef[] = [
  {
    id: "needs_comments",
    label: "Asks for comments and explanations",
    tags: ["needs comments"],
    keywords: /\b(?:comment(?:s|ed|ing)?|undocumented|no explanation|explain (?:the|your) code|document(?:ation)?)\b/i,
    instruction: "Provide detailed comments and explanations in the code.",
  },
  {
    id: "too_long",
    label: "Too long",
    tags: ["too long", "too_long"],
    keywords: /\b(?:too long|verbose|wordy|shorter|more concise|too much text)\b/i,
    instruction: "Keep the answer concise: lead with the solution and cut everything the question did not ask for.",
  },
  {
    id: "incomplete",
    label: "Incomplete",
    tags: ["incomplete"],
    keywords: /\b(?:incomplete|unfinished|cut off|truncated|missing (?:part|step|case)s?|not finished)\b/i,
    instruction: "Give a complete answer: cover every part of the request and finish every code block.",
  },
  {
    id: "wrong",
    label: "Wrong",
    tags: ["wrong"],
    keywords: /\b(?:wrong|incorrect|doesn'?t work|does not work|bug(?:gy)?|error)\b/i,
    instruction: "Check the answer for correctness before replying: trace the code on an example and handle edge cases.",
  },
  {
    id: "needs_tests",
    label: "Asks for tests",
    tags: ["needs tests"],
    keywords: /\b(?:unit tests?|add tests?|no tests|test cases?)\b/i,
    instruction: "Include unit tests for the code you write.",
  },
  {
    id: "needs_types",
    label: "Asks for types",
    tags: ["needs types"],
    keywords: /\b(?:type hints?|type annotations?|typed|typescript types)\b/i,
    instruction: "Use type annotations throughout.",
  },
];

export interface FeedbackText {
  id: string;
  model: string;
  taskType: string;
  tags: string[];
  text: string;
}

export interface ThemeGroup {
  themeId: string;
  label: string;
  instruction: string | null;
  model: string;
  taskType: string;
  interactionIds: string[];
  /** For unknown groups: the key word and some texts, for the router model to name. */
  keyword?: string;
  samples?: string[];
}

const STOP = new Set(
  "the a an and or but of to in on for with is it this that be are was were not no too very more less please should would could can code answer your you i me my we it's its than then just also add".split(" "),
);

/** Which known themes one piece of feedback shows. */
export function themesOf(f: Pick<FeedbackText, "tags" | "text">): ThemeDef[] {
  const tags = f.tags.map((t) => t.trim().toLowerCase());
  return THEMES.filter((t) => t.tags.some((tag) => tags.includes(tag)) || (f.text !== "" && t.keywords.test(f.text)));
}

/** Groups feedback per (model, task type, theme); unknown free text by its most frequent content word. */
export function groupFeedback(items: FeedbackText[]): ThemeGroup[] {
  const groups = new Map<string, ThemeGroup>();
  const unknown: FeedbackText[] = [];
  for (const f of items) {
    const themes = themesOf(f);
    if (themes.length === 0) {
      if (f.text.trim()) unknown.push(f);
      continue;
    }
    for (const t of themes) {
      const key = `${f.model}|${f.taskType}|${t.id}`;
      const g = groups.get(key) ?? { themeId: t.id, label: t.label, instruction: t.instruction, model: f.model, taskType: f.taskType, interactionIds: [] };
      if (!g.interactionIds.includes(f.id)) g.interactionIds.push(f.id);
      groups.set(key, g);
    }
  }
  // Unknown texts: a group per (model, task type, most frequent content word).
  const words = (s: string) => [...new Set(s.toLowerCase().match(/[a-z][a-z'-]{2,}/g) ?? [])].filter((w) => !STOP.has(w));
  const byCell = new Map<string, FeedbackText[]>();
  for (const f of unknown) {
    const key = `${f.model}|${f.taskType}`;
    byCell.set(key, [...(byCell.get(key) ?? []), f]);
  }
  for (const cell of byCell.values()) {
    const counts = new Map<string, number>();
    for (const f of cell) for (const w of words(f.text)) counts.set(w, (counts.get(w) ?? 0) + 1);
    const remaining = new Set(cell);
    for (const [word] of [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
      const members = [...remaining].filter((f) => words(f.text).includes(word));
      if (members.length < 2) continue;
      for (const m of members) remaining.delete(m);
      const f0 = members[0];
      groups.set(`${f0.model}|${f0.taskType}|word:${word}`, {
        themeId: `word:${word}`,
        label: `Feedback mentioning “${word}”`,
        instruction: null,
        model: f0.model,
        taskType: f0.taskType,
        interactionIds: members.map((m) => m.id),
        keyword: word,
        samples: members.slice(0, 5).map((m) => m.text.slice(0, 300)),
      });
    }
  }
  return [...groups.values()].sort((a, b) => b.interactionIds.length - a.interactionIds.length);
}
