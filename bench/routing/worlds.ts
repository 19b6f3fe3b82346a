/**
 * Worlds that show what learning adds, replayed side by side with the same settings:
 *  - "table right": the simulated roles as model-profiles.json has them (the priors are the truth);
 *  - "table wrong": the math specialist and the router swap roles, so the role table sends
 *    maths to a model weak at it and general requests to the maths model;
 *  - "roster mis-assigned": besides that swap, the lead and senior developers swap too, so code
 *    goes first to the weakest coder (an operator who mixed up the tags of a new roster);
 *  - "lead degrades": halfway through, the lead developer's success on code tasks drops by 0.3.
 * Each reports the last half: learned, static role table, best single model, per-category oracle.
 */
import type { Role, TaskType } from "../../lib/domain";
import type { BenchPrompt, ModelProfiles } from "./data";
import { runReplay, type ReplaySettings } from "./replay";
import { simulatedWorld, type World } from "./world";

export interface WorldRow {
  world: string;
  learned: number;
  static: number | null;
  bestSingle: number;
  categoryOracle: number;
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

export function runWorldSuite(prompts: readonly BenchPrompt[], profiles: ModelProfiles, settings: ReplaySettings): WorldRow[] {
  const right = simulatedWorld(prompts, profiles);
  const n = prompts.length * settings.passes;
  const worlds: [string, World][] = [
    ["table right", right],
    ["table wrong (math ↔ router)", simulatedWorld(prompts, profiles, { roles: swapped(profiles, ["math", "router"]) })],
    ["roster mis-assigned (also lead ↔ senior)", simulatedWorld(prompts, profiles, { roles: swapped(profiles, ["math", "router"], ["lead_developer", "senior_developer"]) })],
    ["lead degrades (code −0.3 at half)", degrading(right, profiles, "lead_developer", ["code_generation", "debugging", "refactoring_optimization"], -0.3, Math.floor(n / 2))],
  ];
  return worlds.map(([name, world]) => {
    const r = runReplay(world, settings);
    const s = r.strategies;
    const st = s.static?.lastHalf ?? null;
    const round = (x: number) => Math.round(x * 10_000) / 10_000;
    return {
      world: name,
      learned: s.learned!.lastHalf,
      static: st,
      bestSingle: s.bestSingle!.lastHalf,
      categoryOracle: s.categoryOracle!.lastHalf,
      learnedMinusStatic: st === null ? null : round(s.learned!.lastHalf - st),
      learnedOverStatic: st === null ? null : round(s.learned!.lastHalf / st),
      explorationRate: r.learned.explorationRate,
    };
  });
}
