import { TASK_TYPES, type TaskType } from "./models";
import { pick, rng } from "./random";

/**
 * What the simulated models say. A keyword classifier decides the task type of a prompt;
 * the answer's shape follows it (a fenced code block for code, worked steps ending in a
 * number for maths, prose otherwise). A "bad" answer looks worse in a way automatic checks
 * can notice: code without its block or cut off, a wrong number, prose that trails off.
 */

const RULES: Record<Exclude<TaskType, "general">, [RegExp, number][]> = {
  math: [
    [/\b(integral|derivative|differentiate|integrate|equation|solve for|probability|prime|theorem|prove|proof|matrix|eigen|factorial|fraction|percent(age)?|arithmetic|geometry|algebra|calculus|sum of|product of)\b/i, 2],
    [/\b(calculate|compute|how many|how much|what is \d)/i, 1.5],
    [/\d+\s*[-+*/^×÷]\s*\d+/, 2],
    [/\bmath(s|ematics)?\b/i, 2],
  ],
  algorithm: [
    [/\b(algorithm|complexity|big-?o|o\(n|binary search|dynamic programming|memoi[sz]|graph|shortest path|dijkstra|bfs|dfs|recursion|recursive|sorting|sort an?|leetcode|knapsack|heap|linked list|binary tree|trie)\b/i, 2],
  ],
  code_generation: [
    [/\b(write|implement|create|build|generate|make)\b.{0,40}\b(function|class|script|program|module|component|endpoint|api|cli|method|code|parser|server|hook)\b/i, 2.5],
    [/\b(function|class|script|snippet|code)\b/i, 0.8],
  ],
  debugging: [
    [/\b(bug|error|exception|traceback|stack ?trace|crash(es|ing)?|fix|broken|fails?|failing|doesn'?t work|not working|undefined|null pointer|segfault|nan|debug)\b/i, 2.5],
  ],
  refactoring_optimization: [
    [/\b(refactor|optimi[sz]e|optimi[sz]ation|faster|speed up|performance|clean ?up|simplify|improve this|more efficient|memory usage|readab(le|ility)|reduce duplication)\b/i, 2.5],
  ],
  architecture: [
    [/\b(architecture|system design|design a system|microservices?|scalab(le|ility)|distributed|event[- ]driven|message queue|database schema|high availability|load balanc|trade-?offs?|components?|service boundaries)\b/i, 2.5],
  ],
  explanation: [
    [/\b(explain|what is|what are|what does|how does|why does|why is|difference between|describe|meaning of|tell me about)\b/i, 2],
  ],
};

/** Task type of a prompt by weighted keyword matches; ties go to the earlier task type. */
export function classifyPrompt(text: string): TaskType {
  let best: TaskType = "general";
  let bestScore = 0;
  for (const type of TASK_TYPES) {
    if (type === "general") continue;
    let score = 0;
    for (const [re, w] of RULES[type]) if (re.test(text)) score += w;
    if (score > bestScore) {
      best = type;
      bestScore = score;
    }
  }
  return best;
}

const LANGUAGES: [RegExp, string][] = [
  [/\btypescript\b|\.tsx?\b|\bts\b/i, "typescript"],
  [/\bjavascript\b|\bnode(\.?js)?\b|\breact\b|\.jsx?\b|\bjs\b/i, "javascript"],
  [/\brust\b/i, "rust"],
  [/\bgolang\b|\bin go\b|\bgo (function|program|code)\b/i, "go"],
  [/\bjava\b/i, "java"],
  [/\bc\+\+|\bcpp\b/i, "cpp"],
  [/\bc#|\bcsharp\b|\.net\b/i, "csharp"],
  [/\bsql\b|\bpostgres(ql)?\b|\bquery\b/i, "sql"],
  [/\bbash\b|\bshell\b/i, "bash"],
  [/\bruby\b/i, "ruby"],
  [/\bphp\b/i, "php"],
  [/\bpython\b|\.py\b/i, "python"],
];

export function guessLanguage(text: string): string {
  for (const [re, lang] of LANGUAGES) if (re.test(text)) return lang;
  return "python";
}

const STOP = new Set(
  "a an the to of in on for and or with that this is are be it me my please write implement create make build function code how what why which using use can you your i".split(
    " ",
  ),
);

export function subject(prompt: string): string[] {
  const words = (prompt.toLowerCase().match(/[a-z][a-z0-9]+/g) ?? []).filter((w) => !STOP.has(w));
  return words.length ? words.slice(0, 3) : ["task"];
}

function identifier(words: string[], style: "snake" | "camel"): string {
  if (style === "snake") return words.join("_");
  return words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join("");
}

function codeBody(lang: string, words: string[], taskType: TaskType): string {
  const snake = identifier(words, "snake");
  const camel = identifier(words, "camel");
  const loop = taskType === "algorithm";
  switch (lang) {
    case "python":
      return [
        `def ${snake}(items):`,
        `    """Return the processed items (${words.join(" ")})."""`,
        loop ? "    result = sorted(items)" : "    result = [item for item in items if item is not None]",
        "    return result",
        "",
        "",
        'if __name__ == "__main__":',
        `    print(${snake}([3, 1, 2]))`,
      ].join("\n");
    case "javascript":
    case "typescript": {
      const t = lang === "typescript";
      return [
        `export function ${camel}(items${t ? ": number[]" : ""})${t ? ": number[]" : ""} {`,
        loop ? "  return [...items].sort((a, b) => a - b);" : "  return items.filter((item) => item != null);",
        "}",
        "",
        `console.log(${camel}([3, 1, 2]));`,
      ].join("\n");
    }
    case "sql":
      return [`SELECT id, name`, `FROM ${snake}`, `WHERE name IS NOT NULL`, `ORDER BY id;`].join("\n");
    case "bash":
      return [`#!/usr/bin/env bash`, `set -euo pipefail`, `${snake}() {`, `  sort -n "$1"`, `}`, `${snake} "$@"`].join("\n");
    case "rust":
      return [`pub fn ${snake}(mut items: Vec<i64>) -> Vec<i64> {`, `    items.sort();`, `    items`, `}`].join("\n");
    case "go":
      return [`func ${camel}(items []int) []int {`, `\tsort.Ints(items)`, `\treturn items`, `}`].join("\n");
    default:
      return [`// ${words.join(" ")}`, `${camel}(items) {`, `    return sort(items);`, `}`].join("\n");
  }
}

/** A small arithmetic expression in the prompt, evaluated, if there is one. */
function arithmetic(prompt: string): { expr: string; value: number } | undefined {
  const m = prompt.match(/(-?\d+(?:\.\d+)?)\s*([-+*/×÷x])\s*(-?\d+(?:\.\d+)?)/);
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = Number(m[3]);
  const op = m[2];
  const value = op === "+" ? a + b : op === "-" ? a - b : op === "/" || op === "÷" ? (b === 0 ? NaN : a / b) : a * b;
  if (!Number.isFinite(value)) return undefined;
  return { expr: `${m[1]} ${op} ${m[3]}`, value: Math.round(value * 1e6) / 1e6 };
}

export interface AnswerInput {
  prompt: string;
  taskType: TaskType;
  good: boolean;
  seed: number;
}

export function composeAnswer({ prompt, taskType, good, seed }: AnswerInput): string {
  const r = rng(seed);
  const words = subject(prompt);
  const topic = words.join(" ");
  switch (taskType) {
    case "code_generation":
    case "debugging":
    case "refactoring_optimization":
    case "algorithm": {
      const lang = guessLanguage(prompt);
      const intro = {
        code_generation: `Here is an implementation for ${topic}:`,
        debugging: `The problem is that missing values reach the loop. Here is the fixed version:`,
        refactoring_optimization: `Here is a cleaner, faster version that avoids the repeated work:`,
        algorithm: `A sort-based approach solves ${topic} in O(n log n) time and O(n) space:`,
      }[taskType];
      const code = codeBody(lang, words, taskType);
      if (!good) {
        // Either no code block at all or a block that is cut off before it closes.
        if (r() < 0.5) return `You could try to handle ${topic} by looping over the items and checking each one. That should mostly work.`;
        return `${intro}\n\n\`\`\`${lang}\n${code.split("\n").slice(0, 2).join("\n")}\n`;
      }
      const outro =
        taskType === "algorithm"
          ? "Time complexity: O(n log n); space complexity: O(n)."
          : "The function returns a new list and leaves its input unchanged.";
      return `${intro}\n\n\`\`\`${lang}\n${code}\n\`\`\`\n\n${outro}`;
    }
    case "math": {
      const a = arithmetic(prompt);
      const correct = a ? a.value : 10 + Math.floor(r() * 90);
      const answer = good ? correct : correct + 1 + Math.floor(r() * 9);
      const steps = a
        ? [`Step 1: Identify the operation: ${a.expr}.`, `Step 2: Evaluate it carefully.`, `Step 3: Check the result by estimation.`]
        : [`Step 1: Write down what is given about ${topic}.`, `Step 2: Set up the equation and simplify.`, `Step 3: Solve and check the result.`];
      return `${steps.join("\n")}\n\nTherefore, the answer is ${answer}`;
    }
    case "architecture": {
      const good_ = [
        `## Proposed architecture for ${topic}`,
        "",
        "### Components",
        "- **API gateway**: authentication, rate limiting and routing.",
        "- **Application services**: stateless, scaled horizontally behind a load balancer.",
        "- **Message queue**: decouples slow work from requests.",
        "- **Postgres**: the system of record, with read replicas for reporting.",
        "",
        "### Data flow",
        "Requests pass the gateway, services write to Postgres and publish events; workers consume them.",
        "",
        "### Trade-offs",
        "A queue adds latency and operational cost but isolates failures; start with a modular monolith if the team is small.",
      ].join("\n");
      return good ? good_ : `For ${topic} you could use some microservices and a database. It depends on`;
    }
    case "explanation": {
      const body = pick(
        [
          `${topic[0].toUpperCase()}${topic.slice(1)} is best understood by looking at what problem it solves.`,
          `In short, ${topic} is a way to structure the work so that each part has one responsibility.`,
        ],
        r,
      );
      return good
        ? `${body}\n\nFirst, it separates the concerns involved. Second, it makes the behaviour predictable, which helps when testing. Finally, it is widely used because it scales well as a project grows.\n\nFor example, a small program can apply it in a few lines and grow from there.`
        : `${body} It is`;
    }
    default:
      return good
        ? `Sure. Regarding ${topic}: the short answer is that it depends on your goals, but a good default is to start simple, measure, and adjust. If you share more details I can be more specific.`
        : `Hmm, ${topic}? I am not sure.`;
  }
}

export const REFUSAL = "I'm sorry, but I can't help with that.";

/** Splits text into the pieces a model would stream: a word with its leading whitespace. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? [];
}

/** Ollama's rough token count for text, matching the app's estimate (about 4 characters a token). */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * A fill-in-the-middle answer: a line or two of code in the prompt's last indentation (a
 * stand-in: no model reads the code; the text only has to look like a completion).
 */
export function fillMiddle(prefix: string, seed: number): string {
  const lastLine = prefix.slice(prefix.lastIndexOf("\n") + 1);
  const indent = /^\s*/.exec(lastLine)?.[0] ?? "";
  const lines = ["result = compute(value)", "return result", "total += item", "if value is None:", "items.append(value)", "count = len(items)"];
  const r = rng(seed);
  const n = 1 + Math.floor(r() * 2);
  return Array.from({ length: n }, (_, i) => `${i === 0 && lastLine.trim() ? "" : indent}${lines[Math.floor(r() * lines.length)]}`).join(`\n${indent}`) + "\n";
}
