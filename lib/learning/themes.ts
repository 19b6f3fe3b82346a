/**
 * The known themes of feedback (pure): the seeds of grouping by meaning
 * (lib/learning/feedback-meaning.ts). A quick tag or a telling phrase places feedback in one
 * at once; feedback in other words joins one by being close to its examples. Each carries
 * the instruction a system prompt gets when operators accept the theme's proposal.
 */
export interface ThemeDef {
  id: string;
  label: string;
  tags: string[];
  keywords: RegExp;
  /** Ways users put it: anchors that feedback in other words is compared with by meaning. */
  examples: string[];
  /** Appended to the system prompt of the (model, task type) the theme is about. */
  instruction: string;
}

/** The label for feedback none of the known themes covers (the theme classifier's last class). */
export const OTHER_THEME = "other";

export const THEMES: readonly ThemeDef[] = [
  {
    id: "needs_comments",
    label: "Asks for comments and explanations",
    tags: ["needs comments"],
    keywords: /\b(?:comment(?:s|ed|ing)?|undocumented|unexplained|explanations?|explain (?:the|your|each|every) (?:code|step|line)s?|document(?:ation)?)\b/i,
    examples: ["please comment the code and explain what it does", "I could not follow the code without an explanation", "add comments explaining each part"],
    instruction: "Provide detailed comments and explanations in the code.",
  },
  {
    id: "too_long",
    label: "Too long",
    tags: ["too long", "too_long"],
    keywords: /\b(?:too long|verbose|wordy|shorter|more concise|too much text)\b/i,
    examples: ["the answer is far too long, get to the point", "too much text, I only needed the fix", "way too verbose"],
    instruction: "Keep the answer concise: lead with the solution and cut everything the question did not ask for.",
  },
  {
    id: "incomplete",
    label: "Incomplete",
    tags: ["incomplete"],
    keywords: /\b(?:incomplete|unfinished|cut off|truncated|missing (?:part|step|case)s?|not finished)\b/i,
    examples: ["the answer stops halfway through", "it left out part of what I asked", "the code is cut off and unfinished"],
    instruction: "Give a complete answer: cover every part of the request and finish every code block.",
  },
  {
    id: "wrong",
    label: "Wrong",
    tags: ["wrong"],
    keywords: /\b(?:wrong|incorrect|doesn'?t work|does not work|bug(?:gy)?|error)\b/i,
    examples: ["the answer is wrong", "this code does not work", "incorrect result, it gives the wrong output"],
    instruction: "Check the answer for correctness before replying: trace the code on an example and handle edge cases.",
  },
  {
    id: "needs_tests",
    label: "Asks for tests",
    tags: ["needs tests"],
    keywords: /\b(?:unit tests?|add tests?|no tests|test cases?)\b/i,
    examples: ["please include unit tests", "there are no tests for this code", "add test cases to check it works"],
    instruction: "Include unit tests for the code you write.",
  },
  {
    id: "needs_types",
    label: "Asks for types",
    tags: ["needs types"],
    keywords: /\b(?:type hints?|type annotations?|typed|typescript types)\b/i,
    examples: ["add type annotations", "please use type hints in the function signatures", "the code should be properly typed"],
    instruction: "Use type annotations throughout.",
  },
];

export interface FeedbackText {
  id: string;
  model: string;
  taskType: string;
  tags: string[];
  text: string;
  /** who gave it (evidence counts users as well as answers) */
  userId?: string;
}

/** Which known themes one piece of feedback shows. */
export function themesOf(f: Pick<FeedbackText, "tags" | "text">): ThemeDef[] {
  const tags = f.tags.map((t) => t.trim().toLowerCase());
  return THEMES.filter((t) => t.tags.some((tag) => tags.includes(tag)) || (f.text !== "" && t.keywords.test(f.text)));
}
