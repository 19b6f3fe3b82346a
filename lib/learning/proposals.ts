/**
 * Proposed changes to the model configuration (pure): their shape, how one applies to a
 * configuration (giving the next immutable version's config), and the diff between two
 * configurations. "The same proposal again" is lib/learning/proposal-fingerprint.ts.
 */
import { diffWordsWithSpace } from "diff";
import { z } from "zod";
import type { ModelConfig } from "@/lib/db/queries/config";
import { ROLES, TASK_TYPES, type Role, type TaskType } from "@/lib/domain";

/** The prompt of a model without a role, and of a role the configuration has no prompt for. */
const FALLBACK_PROMPT = "You are a helpful, precise assistant.";

export const paramsSchema = z.object({
  temperature: z.number().min(0).max(2),
  num_predict: z.number().int().min(16).max(32768),
  num_ctx: z.number().int().min(512).max(131072),
});

export const changeSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("append_instruction"),
    role: z.enum(ROLES),
    taskType: z.enum(TASK_TYPES),
    /** every task type the complaint was made about (taskType among them); absent: taskType alone */
    taskTypes: z.array(z.enum(TASK_TYPES)).min(1).optional(),
    /** every role whose answers drew the complaint (role among them); absent: role alone */
    roles: z.array(z.enum(ROLES)).min(1).optional(),
    instruction: z.string().min(3).max(1000),
  }),
  z.object({ type: z.literal("set_params"), model: z.string().min(1), taskType: z.enum(TASK_TYPES), params: paramsSchema }),
  z.object({ type: z.literal("prefer_model"), taskType: z.enum(TASK_TYPES), model: z.string().min(1) }),
]);
export type ProposedChange = z.infer<typeof changeSchema>;

export type AdaptationKind = "routing_rule" | "system_prompt" | "fallback_order" | "parameters" | "knowledge_entry";

export function kindOf(change: ProposedChange): AdaptationKind {
  return change.type === "append_instruction" ? "system_prompt" : change.type === "set_params" ? "parameters" : "routing_rule";
}

/** The prompt a role gets for a task type (a model without a role: the fallback). */
export function promptOf(config: ModelConfig, role: Role | null, taskType: TaskType): string {
  if (!role) return FALLBACK_PROMPT;
  return config.task_prompts?.[role]?.[taskType] ?? config.prompts[role] ?? FALLBACK_PROMPT;
}

type AppendInstruction = Extract<ProposedChange, { type: "append_instruction" }>;

/** The task types an instruction is appended for. */
export function instructionTaskTypes(change: AppendInstruction): TaskType[] {
  return [...new Set([change.taskType, ...(change.taskTypes ?? [])])];
}

/** Every (role, task type) prompt an instruction is appended to. */
export function instructionTargets(change: AppendInstruction): { role: Role; taskType: TaskType }[] {
  const roles = [...new Set([change.role, ...(change.roles ?? [])])];
  return roles.flatMap((role) => instructionTaskTypes(change).map((taskType) => ({ role, taskType })));
}

/** The configuration with the change applied; the input is never modified. */
export function applyChange(config: ModelConfig, change: ProposedChange): ModelConfig {
  const next = structuredClone(config) as ModelConfig;
  switch (change.type) {
    case "append_instruction": {
      for (const { role, taskType } of instructionTargets(change)) {
        const current = promptOf(config, role, taskType);
        if (current.toLowerCase().includes(change.instruction.toLowerCase())) continue;
        next.task_prompts = { ...(next.task_prompts ?? {}) };
        next.task_prompts[role] = { ...(next.task_prompts[role] ?? {}), [taskType]: `${current.trimEnd()}\n\n${change.instruction}` };
      }
      return next;
    }
    case "set_params": {
      next.params = { ...(next.params ?? {}) };
      next.params[change.model] = { ...(next.params[change.model] ?? {}), [change.taskType]: { ...change.params } };
      return next;
    }
    case "prefer_model": {
      const routing = { ...((next.routing as Record<string, { prefer: string }> | undefined) ?? {}) };
      routing[change.taskType] = { prefer: change.model };
      next.routing = routing;
      return next;
    }
  }
}

export interface DiffEntry {
  path: string;
  before: unknown;
  after: unknown;
  /** For two strings: the text in order, each run kept, removed or added (a word diff). */
  text?: TextPart[];
}

/** Leaf-by-leaf differences between two configurations (objects compared key by key). */
export function diffConfigs(a: unknown, b: unknown, path = ""): DiffEntry[] {
  if ((isObject(a) || a === undefined) && (isObject(b) || b === undefined) && (isObject(a) || isObject(b))) {
    a ??= {};
    b ??= {};
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
    return keys.flatMap((k) => diffConfigs(x[k], y[k], path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const entry: DiffEntry = { path, before: a, after: b };
  if (typeof a === "string" && typeof b === "string") entry.text = textDiff(a, b);
  else if (a === undefined && typeof b === "string") entry.text = textDiff("", b);
  return [entry];
}

export type TextPart = { value: string; op: "same" | "removed" | "added" };

/** A word-level diff (the `diff` package's Myers diff): several edits show as several runs. */
export function textDiff(a: string, b: string): TextPart[] {
  return diffWordsWithSpace(a, b).map((c) => ({ value: c.value, op: c.added ? "added" : c.removed ? "removed" : "same" }));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
