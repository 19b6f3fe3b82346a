/**
 * The world a replay runs in: the items (prompts), the candidate models and their roles, who
 * is available for each item and how likely each answer is good. Simulated roles take the
 * skills of model-profiles.json; published labels take each model's score on each item.
 */
import { DEFAULT_ROLE_MODELS, type Role, type TaskType } from "../../lib/domain";
import type { BenchPrompt, ModelProfiles } from "./data";

export type WorldItem = { id: string; prompt: string; category: string | null };

export type World = {
  kind: "simulated" | "labels";
  items: WorldItem[];
  models: string[];
  /** a model's role (its prior); null: no role, a neutral prior */
  roles: Record<string, Role | null>;
  /** probability that `model` answers item `i` well at request number `step` (default: the start); undefined: unavailable for it */
  prob: (i: number, model: string, step?: number) => number | undefined;
  /** the task type a user would confirm for item `i` (its category's), null when unknown */
  truth: (i: number) => TaskType | null;
  /** whether `model` can be served at request number `step` (absent: always); one that cannot fails before it answers and the next model takes over */
  served?: (model: string, step: number) => boolean;
  /** notes for the report (ignored labels, …) */
  notes: string[];
};

const itemsOf = (prompts: readonly BenchPrompt[]): WorldItem[] => prompts.map((p) => ({ id: p.id, prompt: p.prompt, category: p.category ?? null }));

/**
 * Roles: an explicit `name=role` wins; else the role a known default model plays (the
 * simulated profiles' names, DEFAULT_ROLE_MODELS' tags); else none.
 */
export function resolveRoles(models: readonly string[], explicit: Record<string, Role> = {}, profiles?: ModelProfiles): Record<string, Role | null> {
  const byTag = new Map<string, Role>(Object.entries(DEFAULT_ROLE_MODELS).map(([r, m]) => [m, r as Role]));
  return Object.fromEntries(models.map((m) => [m, explicit[m] ?? (profiles?.simulated[m]?.role as Role | undefined) ?? byTag.get(m) ?? null]));
}

/** The five simulated roles (or the `models` named), with skills from model-profiles.json. */
export function simulatedWorld(prompts: readonly BenchPrompt[], profiles: ModelProfiles, { models, roles }: { models?: string[]; roles?: Record<string, Role> } = {}): World {
  const names = models ?? Object.keys(profiles.simulated);
  for (const m of names) if (!profiles.simulated[m]) throw new Error(`no simulated profile for model ${m} (without --labels, models must be in model-profiles.json)`);
  const items = itemsOf(prompts);
  const types = items.map((it) => {
    if (it.category === null) throw new Error(`prompt ${it.id} has no category: without --labels the simulated models need one`);
    const t = profiles.benchmark_category_map[it.category];
    if (!t) throw new Error(`prompt ${it.id}: category ${it.category} is not in benchmark_category_map`);
    return t;
  });
  return {
    kind: "simulated",
    items,
    models: names,
    roles: resolveRoles(names, roles, profiles),
    prob: (i, m) => profiles.simulated[m]?.success[types[i]],
    truth: (i) => types[i],
    notes: [],
  };
}

/**
 * Labels as the world: the candidates are the models named in the labels (or `models`); only
 * items with a label for at least one candidate count; a missing label means that model is
 * unavailable for that item.
 */
export function labelledWorld(
  prompts: readonly BenchPrompt[],
  labels: ReadonlyMap<string, ReadonlyMap<string, number>>,
  { models, roles, profiles }: { models?: string[]; roles?: Record<string, Role>; profiles?: ModelProfiles } = {},
): World {
  const all = [...new Set([...labels.values()].flatMap((row) => [...row.keys()]))].sort();
  const names = models ?? all;
  const chosen = new Set(names);
  const known = new Set(prompts.map((p) => p.id));
  const unknownIds = [...labels.keys()].filter((id) => !known.has(id));
  const kept = prompts.filter((p) => [...(labels.get(p.id)?.keys() ?? [])].some((m) => chosen.has(m)));
  const rows = kept.map((p) => labels.get(p.id)!);
  const notes = [`${kept.length} of ${prompts.length} prompts have a label for a candidate model; the others are left out`];
  if (unknownIds.length) notes.push(`${unknownIds.length} labelled ids are not among the prompts (ignored)`);
  const unused = names.filter((m) => !rows.some((r) => r.has(m)));
  if (unused.length) notes.push(`no label for: ${unused.join(", ")}`);
  return {
    kind: "labels",
    items: itemsOf(kept),
    models: names,
    roles: resolveRoles(names, roles, profiles),
    prob: (i, m) => (chosen.has(m) ? rows[i].get(m) : undefined),
    truth: (i) => {
      const c = kept[i].category;
      return c && profiles ? (profiles.benchmark_category_map[c] ?? null) : null;
    },
    notes,
  };
}
