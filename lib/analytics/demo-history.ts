/**
 * A realistic, reproducible history of interactions for the demo and the benchmark: the five
 * roles, every task type, a router that learns (exploration fading, routing sharpening),
 * fallbacks through the default chains, ratings, thumbs, copies and corrections, parameter
 * arms, and drift (the senior developer degrades for the last 30 % of the period and the
 * router shifts away from it). Pure: rows out, no database.
 */
import { DEFAULT_ROLE_MODELS, ROLES, defaultChain, rolePrior, type ChatTaskType, type Role, type TaskType } from "@/lib/domain";
import type { DemoBatch, DemoConversation, DemoInteraction } from "@/lib/db/bulk-history";
import { paramArmsFor } from "../learning/params";
import { sampleNormal, seededRng, type Rng } from "../learning/random";

export interface DemoOptions {
  interactions: number;
  days?: number;
  seed?: number;
  now?: number;
  batchSize?: number;
  roleModels?: Readonly<Record<Role, string>>;
}

const TASK_MIX: [ChatTaskType, number][] = [
  ["code_generation", 0.24],
  ["debugging", 0.18],
  ["explanation", 0.14],
  ["algorithm", 0.1],
  ["math", 0.1],
  ["refactoring_optimization", 0.08],
  ["general", 0.09],
  ["architecture", 0.07],
];

const PROMPTS: Record<ChatTaskType, string[]> = {
  math: ["Solve x^2 - 5x + 6 = 0", "What is the derivative of x^3 sin x?", "Prove that the square root of 2 is irrational", "Compute the integral of 1/(1+x^2) from 0 to 1"],
  algorithm: ["Find the longest increasing subsequence in O(n log n)", "Explain Dijkstra's algorithm with a heap", "Detect a cycle in a directed graph", "Count inversions with merge sort"],
  code_generation: ["Write a TypeScript debounce function", "Write a Python script that renames files by date", "Implement an LRU cache in Go", "Write a React hook for local storage"],
  debugging: ["Why does this useEffect run twice?", "Fix this off-by-one error in my loop", "My Python script raises KeyError on the second run", "Segfault when freeing a linked list in C"],
  refactoring_optimization: ["Refactor this nested callback code to async/await", "Speed up this SQL query with a join", "Make this function pure and testable", "Reduce allocations in this hot loop"],
  architecture: ["Design a rate limiter for a multi-region API", "How should I split this monolith into services?", "Event sourcing or CRUD for an order system?", "Design the storage for a chat app with search"],
  explanation: ["Explain how a B-tree works", "What is the difference between a process and a thread?", "Explain closures in JavaScript", "How does TLS certificate validation work?"],
  general: ["Suggest a name for my CLI tool", "Summarise the pros and cons of remote work", "Write a short release note", "What should I learn after Python?"],
};

/** Median answer time (ms) per role; the architect is slow, the router quick. */
const MEDIAN_MS: Record<Role, number> = { router: 2200, math: 3800, lead_developer: 3400, senior_developer: 3000, architect: 6500 };
const TASK_LATENCY: Record<ChatTaskType, number> = {
  math: 1,
  algorithm: 1.1,
  code_generation: 1.15,
  debugging: 1,
  refactoring_optimization: 1.1,
  architecture: 1.6,
  explanation: 1.1,
  general: 0.7,
};
/** Effect of the parameter arm (by position in its set) on quality and on latency. */
const ARM_QUALITY = [0, 0.02, -0.04, -0.08, -0.02];
const FAILURE_REASONS: [string, number, string][] = [
  ["timeout", 0.35, "no answer within the time budget"],
  ["http", 0.15, "HTTP 500 from Ollama"],
  ["stream_broken", 0.15, "the stream was cut mid-way"],
  ["truncated", 0.15, "the answer was cut off at its token limit"],
  ["empty", 0.1, "the answer was empty"],
  ["refused", 0.1, "the model refused"],
];
const DEMO_USERS = Array.from({ length: 12 }, (_, i) => `d0000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`);
const DRIFT_AT = 0.7;

function pick<T>(rng: Rng, items: readonly [T, number][]): T {
  let u = rng() * items.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of items) if ((u -= w) <= 0) return v;
  return items[items.length - 1][0];
}

function uuid(rng: Rng): string {
  const h = (n: number) =>
    Array.from({ length: n }, () => Math.floor(rng() * 16).toString(16)).join("");
  return `${h(8)}-${h(4)}-4${h(3)}-${(8 + Math.floor(rng() * 4)).toString(16)}${h(3)}-${h(12)}`;
}

/** True chance that a role's answer to a task type is good, at time p ∈ [0, 1] of the period. */
export function demoQuality(role: Role, task: TaskType, p: number): number {
  const prior = rolePrior(task, role);
  let q = Math.min(0.95, (prior.alpha / (prior.alpha + prior.beta)) * 1.25);
  if (role === "senior_developer" && p >= DRIFT_AT) q -= 0.25; // drift: a degraded model
  if (role === "math" && task === "math") q += 0.05 * p; // a prompt that got better
  return Math.max(0.05, q);
}

function firstFailureChance(role: Role, p: number): number {
  if (role === "senior_developer" && p >= DRIFT_AT) return 0.15;
  if (role === "architect") return 0.06;
  return 0.04;
}

/**
 * The history in batches (conversations first, each with its interactions), spread over
 * `days` up to `now`, busier by day than by night and growing over time.
 */
export function* generateDemoHistory(opts: DemoOptions): Generator<DemoBatch> {
  const rng = seededRng(opts.seed ?? 42);
  const days = opts.days ?? 90;
  const now = opts.now ?? Date.now();
  const span = days * 86_400_000;
  const start = now - span;
  const batchSize = opts.batchSize ?? 2000;
  const models = opts.roleModels ?? DEFAULT_ROLE_MODELS;
  let left = opts.interactions;
  let batch: DemoBatch = { conversations: [], interactions: [] };

  while (left > 0) {
    // A conversation: its start (growing traffic, diurnal), its user, its topic.
    let t0: number;
    for (;;) {
      const p = Math.sqrt(rng()); // density grows linearly over the period
      t0 = start + p * span * 0.999;
      const hour = new Date(t0).getUTCHours();
      const daylight = 0.25 + 0.75 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI));
      if (rng() < daylight) break;
    }
    const turns = Math.min(left, 1 + Math.floor(-Math.log(1 - rng()) * 1.8));
    const task0 = pick(rng, TASK_MIX);
    const conversation: DemoConversation = {
      id: uuid(rng),
      user_id: DEMO_USERS[Math.floor(rng() * DEMO_USERS.length)],
      title: PROMPTS[task0][Math.floor(rng() * PROMPTS[task0].length)],
      created_at: new Date(t0).toISOString(),
      updated_at: new Date(t0).toISOString(),
    };
    batch.conversations.push(conversation);
    let t = t0;
    let previous: DemoInteraction | null = null;
    for (let k = 0; k < turns; k++) {
      const task = rng() < 0.8 ? task0 : pick(rng, TASK_MIX);
      const regenerate = previous !== null && previous.status === "completed" && rng() < 0.04;
      const row = interaction(rng, { t: Math.min(t, now - 1000), start, span, task, models, conversation, parent: regenerate ? previous : null });
      batch.interactions.push(row);
      conversation.updated_at = row.created_at;
      previous = row;
      t += 30_000 + rng() * 240_000;
      left--;
    }
    if (batch.interactions.length >= batchSize) {
      yield batch;
      batch = { conversations: [], interactions: [] };
    }
  }
  if (batch.interactions.length) yield batch;
}

function interaction(
  rng: Rng,
  c: { t: number; start: number; span: number; task: ChatTaskType; models: Readonly<Record<Role, string>>; conversation: DemoConversation; parent: DemoInteraction | null },
): DemoInteraction {
  const { task, models } = c;
  const p = (c.t - c.start) / c.span;

  // Routing: exploration fades and the choice sharpens as the router learns; its beliefs lag the truth.
  const explore = 0.05 + 0.25 * Math.exp(-4 * p);
  const explored = !c.parent && rng() < explore;
  const believed = Math.max(0, p - 0.05);
  const sharp = 2 + 14 * p;
  let first: Role;
  if (c.parent) first = ROLES[Math.floor(rng() * ROLES.length)];
  else if (explored) first = ROLES[Math.floor(rng() * ROLES.length)];
  else first = pick(rng, ROLES.map((r) => [r, demoQuality(r, task, believed) ** sharp] as [Role, number]));
  const chain = [first, ...defaultChain(task).filter((r) => r !== first)];
  const reason = c.parent ? "regenerate" : p > 0.3 && rng() < 0.05 ? "pattern" : "policy";

  // Parameters: arms tried evenly at first, the default arm more and more later.
  const arms = paramArmsFor(task);
  const armIndex = rng() < 0.3 + 0.5 * p ? 0 : Math.floor(rng() * arms.length);
  const arm = arms[armIndex];
  const params = { temperature: arm.temperature, num_predict: arm.num_predict, num_ctx: arm.num_ctx };
  const armSlow = arm.num_predict >= 2048 ? 1.3 : arm.num_predict <= 512 ? 0.75 : 1;

  // Status: a few cancelled, very few never finished.
  const u = rng();
  const status0 = u < 0.0005 ? "started" : u < 0.0105 ? "cancelled" : "run";

  const attempts: { model: string; role: Role; ok: boolean; reason: string | null; message: string | null; ms: number }[] = [];
  let answered: Role | null = null;
  let elapsed = 0;
  if (status0 === "run") {
    for (let i = 0; i < Math.min(3, chain.length); i++) {
      const role = chain[i];
      const failChance = i === 0 ? firstFailureChance(role, p) : 0.12;
      if (rng() < failChance) {
        const why = pick(rng, FAILURE_REASONS.map(([r, w]) => [r, w] as [string, number]));
        const message = FAILURE_REASONS.find(([r]) => r === why)![2];
        const ms = why === "timeout" ? 30_000 + rng() * 5000 : 300 + rng() * 2500;
        attempts.push({ model: models[role], role, ok: false, reason: why, message, ms: Math.round(ms) });
        elapsed += ms;
        continue;
      }
      const drifted = role === "senior_developer" && p >= DRIFT_AT ? 1.6 : 1;
      const ms = MEDIAN_MS[role] * TASK_LATENCY[task] * armSlow * drifted * Math.exp(0.45 * sampleNormal(rng));
      attempts.push({ model: models[role], role, ok: true, reason: null, message: null, ms: Math.round(ms) });
      elapsed += ms;
      answered = role;
      break;
    }
  } else if (status0 === "cancelled") {
    const ms = 500 + rng() * 4000;
    attempts.push({ model: models[first], role: first, ok: false, reason: "cancelled", message: "stopped by the user", ms: Math.round(ms) });
    elapsed = ms;
  }
  const status: DemoInteraction["status"] = status0 === "started" ? "started" : status0 === "cancelled" ? "cancelled" : answered ? "completed" : "failed";

  // Outcome and the signals it leaves.
  const feedback: Record<string, unknown> = {};
  let rating: number | null = null;
  if (status === "completed" && answered) {
    const q = Math.min(0.98, Math.max(0.02, demoQuality(answered, task, p) + ARM_QUALITY[armIndex]));
    const good = rng() < q;
    const codeExpected = task === "code_generation" || task === "debugging" || task === "refactoring_optimization";
    const mathExpected = task === "math";
    const auto = { truncated: false, empty: false, refused: false, hasCodeBlock: codeExpected, codeExpected, mathAnswerPresent: mathExpected, mathExpected };
    if (!good && rng() < 0.7) {
      const flaw = rng();
      if (codeExpected && flaw < 0.5) auto.hasCodeBlock = false;
      else if (mathExpected && flaw < 0.5) auto.mathAnswerPresent = false;
      else if (flaw < 0.8) auto.truncated = true;
      else auto.refused = true;
    }
    feedback.auto = auto;
    if (rng() < 0.18) {
      rating = good ? (rng() < 0.55 ? 5 : 4) : pick(rng, [[1, 0.3], [2, 0.45], [3, 0.25]]);
      feedback.rating = rating;
    }
    if (rng() < 0.12) {
      feedback.thumbs = good ? (rng() < 0.9 ? "up" : "down") : rng() < 0.85 ? "down" : "up";
      if (feedback.thumbs === "down") feedback.tags = [rng() < 0.5 ? "wrong" : rng() < 0.5 ? "incomplete" : "too_long"];
    }
    if (good && rng() < 0.1) feedback.copied = true;
    if (!good && rng() < 0.03) feedback.correction = "The answer missed an edge case; see the corrected version.";
    if (!good && rng() < 0.02) feedback.betterModel = models[defaultChain(task)[0]];
  }

  const created = new Date(c.t);
  const decision = {
    taskType: task,
    confidence: Math.round((0.55 + rng() * 0.43) * 100) / 100,
    voters: [],
    model: models[first],
    role: first,
    reason,
    explored,
    pattern: null,
    chain: chain.map((r) => models[r]),
    params,
    configVersion: 1,
    skipped: [],
    attempts,
  };
  const prompt = c.parent?.user_prompt ?? PROMPTS[task][Math.floor(rng() * PROMPTS[task].length)];
  return {
    id: uuid(rng),
    conversation_id: c.conversation.id,
    user_id: c.conversation.user_id,
    user_prompt: prompt,
    model_used: answered ? models[answered] : status === "cancelled" ? models[first] : null,
    routing_decision: decision,
    response: status === "completed" ? `(demo answer from ${models[answered!]} to a ${task.replace(/_/g, " ")} request)` : status === "started" ? null : "",
    success_rating: rating,
    response_time: status === "started" ? null : Math.round(elapsed),
    created_at: created.toISOString(),
    completed_at: status === "started" ? null : new Date(c.t + elapsed).toISOString(),
    feedback,
    status,
    task_type: task,
    source: "seed",
    parent_id: c.parent?.id ?? null,
    prompt_tokens: status === "completed" ? 30 + Math.floor(rng() * 400) : null,
    completion_tokens: status === "completed" ? 80 + Math.floor(rng() * 1100) : null,
  };
}

