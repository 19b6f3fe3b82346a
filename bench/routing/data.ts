/**
 * Loads the routing benchmark's committed copies (bench/routing/data/): the prompts with
 * their published categories and the model profiles whose "simulated" section drives the
 * simulated models. Validated with zod; the mapping from benchmark categories to task
 * types comes from the profiles file.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { TASK_TYPES, type TaskType } from "../../lib/orchestrator/domain";

export const DATA_DIR = path.join(import.meta.dirname, "data");

const TaskTypeSchema = z.enum(TASK_TYPES);

const PromptSchema = z.object({ id: z.string(), source: z.string(), category: z.string(), prompt: z.string() });
export type BenchPrompt = z.infer<typeof PromptSchema>;

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

export function loadPrompts(file = path.join(DATA_DIR, "prompts.jsonl")): BenchPrompt[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => PromptSchema.parse(JSON.parse(line)));
}

export function loadProfiles(file = path.join(DATA_DIR, "model-profiles.json")): ModelProfiles {
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
