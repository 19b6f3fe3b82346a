/**
 * Cheap text features → task type. Each rule adds its weight to one task type's score when
 * its pattern matches; a few structural features (code fences, stack traces, LaTeX, numbers
 * in a word problem, multiple-choice options) add more. `general` starts with a base score so
 * a prompt with no signal lands there. Confidence is the softmax share of the winner.
 */
import { TASK_TYPES, type TaskType } from "@/lib/domain";

export type FeatureClassification = {
  taskType: TaskType;
  confidence: number;
  scores: Record<TaskType, number>;
};

type Rule = readonly [TaskType, RegExp, number];

const LANG = String.raw`(?:python|javascript|typescript|java|c\+\+|cpp|c#|golang|go|rust|ruby|php|kotlin|swift|scala|bash|shell|sql|haskell|perl|lua|r|matlab|vba|html|css|react|node(?:\.js)?)`;

const RULES: readonly Rule[] = [
  // code generation
  ["code_generation", new RegExp(String.raw`\b(?:write|create|implement|develop|build|generate|code)\b[^.?!\n]{0,40}\b(?:function|program|script(?! for)|class|method|module|api|app|cli|regex|query)\b|\bfill (?:in )?the code\b`, "i"), 2.5],
  ["code_generation", new RegExp(String.raw`\b(?:in|using|with)\s+${LANG}\b`, "i"), 1],
  ["code_generation", new RegExp(String.raw`\b${LANG}\s+(?:function|program|script|code|class)\b`, "i"), 1.5],
  ["code_generation", /^\s*(?:def|function|class|public|private|fn|func|const|let|import|#include)\b/m, 1.5],
  ["code_generation", /"""[\s\S]*>>>|>>>\s*\w+\(/, 2.5],
  ["code_generation", /^\s*def \w+\(.*\).*:\s*\n\s*(?:"""|''')/m, 3],
  ["code_generation", /\b(?:website|web ?page|html page|data structure|regular expression|unit tests?)\b/i, 1.5],
  ["code_generation", /\b(?:return(?:s)? (?:the|a|an|true|false)|takes (?:in )?(?:a|an|two|the) )\b/i, 1],
  // debugging
  ["debugging", /\b(?:bugs?|buggy|faulty|debug(?:ging)?|fix(?:ed|ing)? (?:up )?(?:the|this|my)|doesn'?t work|not working|wrong (?:output|result|answer)|crash(?:es|ed)?|segfault)\b/i, 3.5],
  ["debugging", /\b(?:error|exception|traceback|stack ?trace|undefined is not|null pointer|NullPointerException|TypeError|ValueError|SyntaxError|KeyError|IndexError)\b/, 2],
  ["debugging", /^\s*(?:at [\w$.<>]+\(.*:\d+|File ".*", line \d+|Traceback \(most recent call last\))/m, 3],
  // refactoring / optimisation
  ["refactoring_optimization", /\b(?:refactor(?:ing)?|clean(?:er)? ?up|more (?:efficient|readable|idiomatic|maintainable)|optimi[sz]e|speed up|improve (?:the )?(?:performance|readability)|reduce (?:the )?(?:complexity|memory))\b/i, 3],
  // architecture
  ["architecture", /^\s*design\b(?!ing)[^\n]{0,80}$/i, 2.5],
  ["architecture", /\bdesign (?:a|an|the)\b[^.?!\n]{0,60}\b(?:system|service|platform|store|cache|crawler|api|backend|architecture|feed|timeline|app|application|network|database|engine|scheme|generator|server|like)\b/i, 3.5],
  ["architecture", /\b(?:system design|architecture|architect|microservices?|scalab(?:le|ility)|distributed system|load balanc\w*|sharding|high availability|message queue|event[- ]driven)\b/i, 2],
  // algorithm
  ["algorithm", /\b(?:algorithm|time complexity|space complexity|big[- ]o|O\([n1]\w*\)|dynamic programming|memoi[sz]|recursion|binary search|shortest path|graph traversal|BFS|DFS|greedy|leetcode)\b/i, 2],
  // math
  ["math", /\b(?:how (?:many|much|old|long|far)|what is the (?:probability|value|sum|product|area|volume|remainder|smallest|largest|greatest|least)|compute|evaluate|simplify|solve|integral|derivative|equation|prove|theorem|integers?|primes?|divisors?|polynomial|probability|geometric|matrix|vectors?|real numbers?|rational numbers?|modulo|digits?|isomorphi\w*|group|ring|radius|diameter)\b/i, 1.5],
  ["math", /\$[^$\n]+\$|\\(?:frac|sqrt|cdot|times|le|ge|pi|sum|int|boxed|circ|begin\{)/, 3],
  ["math", /\b\d+(?:\.\d+)?\s*[-+*/^×÷=]\s*\d+|\b\d+%|\$\d/, 1],
  ["math", /[=<>≤≥]\s*[a-z]\b|\b[a-z]\^\d|\bf\(x\)|\bx\s*=|\by\s*=|[∫∑√π]/i, 1],
  // maths words in a few other languages (Russian, Chinese)
  ["math", /(?:реши\w*|найти|найдите|вычисл\w*|уравнени\w*|числ\w*|сумм\w*|докаж\w*|证明|概率|计算|方程|函数|积分|公倍数|数学|排列|多少)/i, 2],
  // explanation
  ["explanation", /^\s*(?:explain|what (?:is|are|does)|why (?:is|does|do|are)|how (?:does|do|is)|describe|what'?s the difference)\b/i, 1.5],
  ["explanation", /\b(?:explain|difference between|what does .{0,40} mean|how does .{0,40} work)\b/i, 1],
  // general: writing, roleplay, multiple choice, knowledge
  ["general", /\b(?:write|compose|draft|create|tell)\b[^.?!\n]{0,30}\b(?:story|poem|essay|e-?mail|letter|speech|blog post|song|lyrics|haiku|tweet|slogan|joke|limerick|sonnet|review|dialogue|script where)\b/i, 2.5],
  ["general", /\b(?:story|poem|essay|speech|blog post|lyrics|haiku|pretend|imagine you|roleplay|role-play|persuasive|itinerary|recipe)\b/i, 1],
  ["general", /\n\s*A\.\s.*\n\s*B\.\s.*\n\s*C\.\s/, 3],
  ["general", /\b(?:history|philosophy|culture|society|economic|politic\w*|ethic\w*|marketing|sociology|psychology|law|legal)\b/i, 1],
];

const GENERAL_BASE = 1;

function structuralScores(text: string): Partial<Record<TaskType, number>> {
  const out: Partial<Record<TaskType, number>> = {};
  const add = (t: TaskType, w: number) => (out[t] = (out[t] ?? 0) + w);
  const fences = (text.match(/^\s*```/gm) ?? []).length;
  const codeLines = (text.match(/[;{}]\s*$|^\s{2,}\S.*[;{}):]\s*$/gm) ?? []).length;
  if (fences >= 2 || codeLines >= 4) {
    add("code_generation", 0.5);
    add("debugging", 0.5);
    add("refactoring_optimization", 0.5);
    add("general", -1);
  }
  const numbers = (text.match(/\b\d+(?:\.\d+)?\b/g) ?? []).length;
  const words = (text.match(/\p{L}+/gu) ?? []).length;
  // A word problem: several numbers in prose without code.
  if (numbers >= 2 && codeLines === 0 && fences === 0 && numbers / Math.max(words, 1) > 0.04) add("math", 1.5);
  if (/\?\s*$/.test(text.trim()) && numbers >= 2 && codeLines === 0) add("math", 0.5);
  // Mostly non-Latin prose with no code: general chat in another language.
  const latin = (text.match(/[A-Za-z]/g) ?? []).length;
  if (text.length > 0 && latin / text.length < 0.3 && codeLines === 0) add("general", 1);
  return out;
}

function softmax(scores: Record<TaskType, number>): Record<TaskType, number> {
  const max = Math.max(...TASK_TYPES.map((t) => scores[t]));
  const exps = TASK_TYPES.map((t) => Math.exp(scores[t] - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return Object.fromEntries(TASK_TYPES.map((t, i) => [t, exps[i] / total])) as Record<TaskType, number>;
}

export function featureScores(text: string): Record<TaskType, number> {
  const scores = Object.fromEntries(TASK_TYPES.map((t) => [t, 0])) as Record<TaskType, number>;
  scores.general = GENERAL_BASE;
  for (const [taskType, pattern, weight] of RULES) if (pattern.test(text)) scores[taskType] += weight;
  for (const [t, w] of Object.entries(structuralScores(text))) scores[t as TaskType] += w;
  return scores;
}

export function classifyByFeatures(text: string): FeatureClassification {
  const scores = featureScores(text);
  let taskType: TaskType = "general";
  for (const t of TASK_TYPES) if (scores[t] > scores[taskType]) taskType = t;
  return { taskType, confidence: softmax(scores)[taskType], scores };
}
