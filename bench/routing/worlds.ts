/**
 * Worlds that show what learning adds, replayed side by side with the same settings:
 *  - "table right": the simulated roles as model-profiles.json has them (the priors are the truth);
 *  - "table wrong": the math specialist and the router swap roles, so the role table sends
 *    maths to a model weak at it and general requests to the maths model;
 *  - "roster mis-assigned": besides that swap, the lead and senior developers swap too, so code
 *    goes first to the weakest coder (an operator who mixed up the tags of a new roster);
 *  - "lead degrades": halfway through, the lead developer's success on code tasks drops by 0.3;
 *  - "specialists within a task type": the task type does not say which model is best, the
 *    request does (withinTypeSpecialists);
 *  - the same with neighbours that know the source: each request's embedding carries its source
 *    (sourceAwareEmbedding), so its nearest past requests are of its own kind, as a good
 *    embedding model would make them. What learned gains there over the stand-in is what the
 *    stand-in's neighbours cost; what it still misses is the policy's;
 *  - "lead out of service": the lead developer cannot be served for a tenth of the run (30–40%),
 *    then is back as it was (withOutage); once with its errors kept out of the posterior (what
 *    routing does, lib/domain/attempt-failure.ts) and once counted as failed answers (as it did
 *    before), to show what that cost.
 * Each reports the last half: learned, static role table, best single model, per-category
 * oracle and per-item oracle: learned above the per-category oracle is what routing by the
 * request itself (the nearest past requests' outcomes, lib/learning/context-evidence.ts) adds.
 */
import type { Role, TaskType } from "../../lib/domain";
import type { BenchPrompt, ModelProfiles } from "./data";
import { runReplay, type ReplaySettings } from "./replay";
import { simulatedWorld, type World } from "./world";
import { simEmbed } from "../../sim/embed";

export interface WorldRow {
  world: string;
  learned: number;
  static: number | null;
  bestSingle: number;
  categoryOracle: number;
  itemOracle: number;
  learnedMinusStatic: number | null;
  learnedOverStatic: number | null;
  explorationRate: number;
}

function swapped(profiles: ModelProfiles, ...pairs: [Role, Role][]): Record<string, Role> {
  const swap = (r: Role) => pairs.reduce((x, [a, b]) => (x === a ? b : x === b ? a : x), r);
  return Object.fromEntries(Object.entries(profiles.simulated).map(([m, p]) => [m, swap(p.role as Role)]));
}

function degrading(world: World, profiles: ModelProfiles, role: Role, taskTypes: readonly TaskType[], delta: number, at: number): World {
  const model = Object.keys(profiles.simulated).find((m) => profiles.simulated[m].role === role)!;
  const types = new Set(taskTypes);
  return {
    ...world,
    prob: (i, m, step = 0) => {
      const p = world.prob(i, m);
      if (p === undefined || m !== model || step < at) return p;
      const t = world.truth(i);
      return t && types.has(t) ? Math.max(0, p + delta) : p;
    },
  };
}

/**
 * A model out of service from request `from` to request `to` (an outage: Ollama cannot load
 * it, every request to it fails before it answers), then back as it was. The role table's
 * chain and the fixed strategies move on to their next model while it is out.
 */
export function withOutage(world: World, profiles: ModelProfiles, role: Role, from: number, to: number): World {
  const model = Object.keys(profiles.simulated).find((m) => profiles.simulated[m].role === role)!;
  return { ...world, served: (m, step) => m !== model || step < from || step >= to };
}

/** Skills by the request's source, for the roles named (the others keep their profile's). */
export type SourceSkills = { source: RegExp; skills: Partial<Record<Role, number>> };

/**
 * Within a task type, which model is best depends on the request, as RouterDC's premise has it
 * (a maths model tuned on grade-school word problems is not the one for competition problems):
 * on grade-school word problems (GSM8K) the router model is strong and the math specialist
 * middling, on competition problems (MATH) the other way round; on DebugBench's C++ bugs the
 * senior developer is the strong one, on its Java and Python bugs the lead. Requests from other
 * sources keep the profiles' skills. The per-category oracle must send every maths request (and
 * every debugging one) to one model; only a router that reads the request can do better.
 */
export const SPECIALISTS: readonly SourceSkills[] = [
  { source: /grade-school-math/, skills: { router: 0.85, math: 0.55 } },
  { source: /hendrycks\/math/, skills: { math: 0.75, router: 0.3 } },
  { source: /DebugBench.*\/cpp_/, skills: { senior_developer: 0.85, lead_developer: 0.5 } },
  { source: /DebugBench.*\/(java|python3)_/, skills: { lead_developer: 0.85, senior_developer: 0.5 } },
];

/** Which rule's source a prompt comes from (its index in `rules`), −1 for none. */
export function sourceGroup(prompt: BenchPrompt, rules: readonly SourceSkills[]): number {
  return rules.findIndex((r) => r.source.test(prompt.source ?? ""));
}

export function withinTypeSpecialists(world: World, prompts: readonly BenchPrompt[], rules: readonly SourceSkills[]): World {
  const skills = prompts.map((p) => rules[sourceGroup(p, rules)]?.skills);
  return {
    ...world,
    prob: (i, m, step) => {
      const role = world.roles[m];
      const own = role ? skills[i]?.[role] : undefined;
      return own ?? world.prob(i, m, step);
    },
  };
}

/**
 * The simulator's embedding with the request's source group (its rule in `rules`) added as a
 * dominant direction of its own: requests of one group are nearer each other than any other
 * request (a diagnostic, not a model of any embedding model).
 */
export function sourceAwareEmbedding(prompts: readonly BenchPrompt[], rules: readonly SourceSkills[]): (text: string) => number[] {
  const groupOf = new Map(prompts.map((p) => [p.prompt, sourceGroup(p, rules)]));
  return (text) => {
    const v = simEmbed(text, 768).map((x) => x * Math.sqrt(0.1));
    const g = groupOf.get(text) ?? -1;
    if (g >= 0) v[v.length - 1 - g] += Math.sqrt(0.9);
    return v;
  };
}

export function runWorldSuite(prompts: readonly BenchPrompt[], profiles: ModelProfiles, settings: ReplaySettings): WorldRow[] {
  const right = simulatedWorld(prompts, profiles);
  const n = prompts.length * settings.passes;
  const specialists = withinTypeSpecialists(right, prompts, SPECIALISTS);
  const outage = withOutage(right, profiles, "lead_developer", Math.floor(0.3 * n), Math.floor(0.4 * n));
  const worlds: [string, World, ReplaySettings["embed"]?, Partial<ReplaySettings>?][] = [
    ["table right", right],
    ["table wrong (math ↔ router)", simulatedWorld(prompts, profiles, { roles: swapped(profiles, ["math", "router"]) })],
    ["roster mis-assigned (also lead ↔ senior)", simulatedWorld(prompts, profiles, { roles: swapped(profiles, ["math", "router"], ["lead_developer", "senior_developer"]) })],
    ["lead degrades (code −0.3 at half)", degrading(right, profiles, "lead_developer", ["code_generation", "debugging", "refactoring_optimization"], -0.3, Math.floor(n / 2))],
    ["specialists within a task type", specialists],
    ["specialists, neighbours know the source", specialists, sourceAwareEmbedding(prompts, SPECIALISTS)],
    ["lead out of service (30–40% of the run)", outage],
    ["lead out of service, its errors counted as failed answers (as before)", outage, undefined, { servingFailuresAsAnswers: true }],
  ];
  return worlds.map(([name, world, embed, changed]) => {
    const r = runReplay(world, { ...settings, ...(embed ? { embed } : {}), ...changed });
    const s = r.strategies;
    const st = s.static?.lastHalf ?? null;
    const round = (x: number) => Math.round(x * 10_000) / 10_000;
    return {
      world: name,
      learned: s.learned!.lastHalf,
      static: st,
      bestSingle: s.bestSingle!.lastHalf,
      categoryOracle: s.categoryOracle!.lastHalf,
      itemOracle: s.itemOracle!.lastHalf,
      learnedMinusStatic: st === null ? null : round(s.learned!.lastHalf - st),
      learnedOverStatic: st === null ? null : round(s.learned!.lastHalf / st),
      explorationRate: r.learned.explorationRate,
    };
  });
}
