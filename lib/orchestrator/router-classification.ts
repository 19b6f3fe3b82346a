import "server-only";
import { z } from "zod";
import { CHAT_TASK_TYPES, type ChatTaskType, type TaskType } from "@/lib/domain";
import { getOllamaPool, type ChatMessage } from "@/lib/ollama";

const routerAnswerSchema = z.object({ task_type: z.enum(CHAT_TASK_TYPES), confidence: z.number().min(0).max(1) });
const ROUTER_FORMAT = z.toJSONSchema(routerAnswerSchema) as Record<string, unknown>;

const DEFINITIONS: Record<ChatTaskType, string> = {
  math: "mathematics itself (calculations, proofs, probability, word problems), no code asked for",
  algorithm: "designing or analysing an algorithm or data structure: approach, complexity, puzzles",
  code_generation: "write new code: a function, script, component, endpoint, query, tests, config",
  debugging: "something is broken: an error, crash, failing test or build, wrong output",
  refactoring_optimization: "improve existing working code: clean up, restructure, make it faster or leaner",
  architecture: "system-level design: services, scaling, storage and queue choices, deployment",
  explanation: "understand a concept, tool or piece of code, nothing to build or fix",
  general: "not a programming task: writing, advice, trivia, small talk",
};

const SYSTEM = [
  "Classify the user's request into exactly one task type:",
  ...CHAT_TASK_TYPES.map((t) => `- ${t}: ${DEFINITIONS[t]}`),
  "Answer as JSON with task_type and confidence (0 to 1).",
].join("\n");

/** A past request whose task type a person confirmed (or a good, undisputed rating did). */
export interface ConfirmedExample {
  prompt: string;
  taskType: TaskType;
}

/** The request to classify, and the user's request before it in the conversation (null: the first). */
export interface RequestToClassify {
  prompt: string;
  previous: string | null;
}

/**
 * The few-shot conversation: the task types defined, up to four confirmed examples (nearest
 * first) as answered turns, then the request; a follow-up with the request before it, so that
 * "and in rust?" is read as what it continues.
 */
export function routerMessages({ prompt, previous }: RequestToClassify, examples: readonly ConfirmedExample[]): ChatMessage[] {
  const shots: ChatMessage[] = examples.slice(0, 4).flatMap((e) => [
    { role: "user" as const, content: e.prompt.slice(0, 600) },
    { role: "assistant" as const, content: JSON.stringify({ task_type: e.taskType, confidence: 1 }) },
  ]);
  const request = previous?.trim()
    ? `Earlier in this conversation the user asked:\n${previous.slice(0, 1000)}\n\nClassify their follow-up, in that context:\n${prompt.slice(0, 3000)}`
    : prompt.slice(0, 4000);
  return [{ role: "system", content: SYSTEM }, ...shots, { role: "user", content: request }];
}

/**
 * How long the router model's vote waits for one of its slots: about what the vote itself
 * takes on a small machine. The router model may be answering other requests (in the default
 * roster it also answers), and a vote that waited for one of those answers to end would hold
 * this request's first token as long (seconds to minutes with real models).
 */
const ROUTER_SLOT_WAIT_MS = 1000;

/**
 * The router model's vote: structured output, with the nearest confirmed past requests as
 * few-shot examples. No slot within ROUTER_SLOT_WAIT_MS: it fails and the other voters decide.
 */
export async function classifyWithRouter(model: string, request: RequestToClassify, examples: readonly ConfirmedExample[], signal?: AbortSignal) {
  const res = await getOllamaPool().chat({
    model,
    slotWaitMs: ROUTER_SLOT_WAIT_MS,
    format: ROUTER_FORMAT,
    options: { temperature: 0, num_predict: 64 },
    signal,
    messages: routerMessages(request, examples),
  });
  return routerAnswerSchema.parse(JSON.parse(res.content));
}
