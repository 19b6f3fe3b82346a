/**
 * Loads the routing benchmark's committed copies (bench/routing/data/): the prompts with
 * their published categories and the model profiles whose "simulated" section drives the
 * simulated models. Validated with zod; the mapping from benchmark categories to task
 * types comes from the profiles file.
 */
import { profilesPath } from "../../sim/models";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { CHAT_TASK_TYPES, type TaskType } from "../../lib/domain";

export const DATA_DIR = path.join(import.meta.dirname, "data");

// Benchmarks and the simulated profiles speak of what chat requests are (no editor completions).
const TaskTypeSchema = z.enum(CHAT_TASK_TYPES);

/** `{"id","prompt",…}`: `category` (report only, never shown to the router) and `source` are optional. */
const PromptSchema = z.looseObject({ id: z.string(), prompt: z.string(), source: z.string().optional(), category: z.string().optional() });
export type BenchPrompt = z.infer<typeof PromptSchema>;

/** `{"id","model","score"}`, score in [0, 1] (other fields, e.g. label_src, are kept but unused). */
const LabelSchema = z.looseObject({ id: z.string(), model: z.string().min(1), score: z.number().min(0).max(1) });
export type BenchLabel = z.infer<typeof LabelSchema>;

const ProfilesSchema = z.object({
  benchmark_category_map: z.record(z.string(), TaskTypeSchema),
  simulated: z.record(
    z.string(),
    z.object({
      role: z.enum(["router", "math", "lead_developer", "senior_developer", "architect"]),
      success: z.record(TaskTypeSchema, z.number().min(0).max(1)),
      load_ms: z.number(),
    }),
  ),
});
export type ModelProfiles = z.infer<typeof ProfilesSchema>;

function parseJsonl<T>(text: string, schema: z.ZodType<T>, what: string): T[] {
  return text
    .split("\n")
    .map((line, i) => ({ line, n: i + 1 }))
    .filter(({ line }) => line.trim() !== "")
    .map(({ line, n }) => {
      const r = schema.safeParse(JSON.parse(line));
      if (!r.success) throw new Error(`${what} line ${n}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      return r.data;
    });
}

export function parsePrompts(text: string): BenchPrompt[] {
  const prompts = parseJsonl(text, PromptSchema, "prompts");
  const seen = new Set<string>();
  for (const p of prompts) {
    if (seen.has(p.id)) throw new Error(`prompts: duplicate id ${p.id}`);
    seen.add(p.id);
  }
  return prompts;
}

/** Labels as id → model → score. A repeated (id, model) pair is an error. */
export function parseLabels(text: string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const l of parseJsonl(text, LabelSchema, "labels")) {
    const row = out.get(l.id) ?? new Map<string, number>();
    if (row.has(l.model)) throw new Error(`labels: duplicate (${l.id}, ${l.model})`);
    row.set(l.model, l.score);
    out.set(l.id, row);
  }
  return out;
}

export function loadPrompts(file = path.join(DATA_DIR, "prompts.jsonl")): BenchPrompt[] {
  return parsePrompts(fs.readFileSync(file, "utf8"));
}

export function loadLabels(file = path.join(DATA_DIR, "labels.jsonl")): Map<string, Map<string, number>> {
  return parseLabels(fs.readFileSync(file, "utf8"));
}

/** The model profiles: the simulator's (sim/model-profiles.json, or the shared copy it prefers), one file for both. */
export function loadProfiles(file = profilesPath()): ModelProfiles {
  return ProfilesSchema.parse(JSON.parse(fs.readFileSync(file, "utf8")));
}

/** Task types a prediction may have and still count as correct for a benchmark category. */
export function acceptedTaskTypes(category: string, profiles: ModelProfiles): TaskType[] {
  const main = profiles.benchmark_category_map[category];
  if (!main) throw new Error(`unknown benchmark category: ${category}`);
  if (main === "debugging") return ["debugging", "refactoring_optimization"];
  if (main === "general") return ["general", "explanation"];
  return [main];
}
