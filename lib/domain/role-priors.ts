/**
 * The prior belief of how well each role handles each task type, read off DESIGN.md's role
 * table, and the static role order that follows from it. Learned posteriors start here and
 * data overtakes them.
 */
import { DEFAULT_ROLE_MODELS, ROLES, type Role } from "./roles";
import { TASK_TYPES, type TaskType } from "./task-types";

export type BetaPrior = { readonly alpha: number; readonly beta: number };

/** Total pseudo-count of every prior: small, so a few dozen outcomes override it. */
export const PRIOR_STRENGTH = 5;

/**
 * Prior success rate of each role per task type, read off DESIGN.md's role table:
 * 0.7 the role made for it, 0.55 the second opinion, 0.5 the third, lower the rest.
 */
const PRIOR_MEANS: Readonly<Record<TaskType, Readonly<Record<Role, number>>>> = {
  math: { math: 0.7, lead_developer: 0.5, router: 0.45, architect: 0.4, senior_developer: 0.35 },
  algorithm: { lead_developer: 0.62, math: 0.6, architect: 0.5, senior_developer: 0.45, router: 0.4 },
  code_generation: { lead_developer: 0.7, senior_developer: 0.55, architect: 0.5, router: 0.4, math: 0.35 },
  debugging: { lead_developer: 0.7, senior_developer: 0.55, architect: 0.5, router: 0.4, math: 0.35 },
  refactoring_optimization: { lead_developer: 0.7, senior_developer: 0.55, architect: 0.5, router: 0.4, math: 0.35 },
  architecture: { architect: 0.7, lead_developer: 0.55, senior_developer: 0.5, router: 0.45, math: 0.35 },
  explanation: { router: 0.65, architect: 0.5, lead_developer: 0.5, math: 0.45, senior_developer: 0.45 },
  general: { router: 0.7, math: 0.5, architect: 0.4, lead_developer: 0.4, senior_developer: 0.35 },
  // Editors' fill-in-the-middle: the code models, the lead first.
  completion: { lead_developer: 0.7, senior_developer: 0.6, architect: 0.5, router: 0.35, math: 0.3 },
};

function toPrior(mean: number): BetaPrior {
  return { alpha: mean * PRIOR_STRENGTH, beta: (1 - mean) * PRIOR_STRENGTH };
}

export const ROLE_PRIORS: Readonly<Record<TaskType, Readonly<Record<Role, BetaPrior>>>> = Object.fromEntries(
  TASK_TYPES.map((t) => [t, Object.fromEntries(ROLES.map((r) => [r, toPrior(PRIOR_MEANS[t][r])]))]),
) as Record<TaskType, Record<Role, BetaPrior>>;

export function rolePrior(taskType: TaskType, role: Role): BetaPrior {
  return ROLE_PRIORS[taskType][role];
}

/** The static role for a task type: the role with the highest prior. */
export function defaultRole(taskType: TaskType): Role {
  return defaultChain(taskType)[0];
}

/** The static fallback order of roles: by prior mean, ties in ROLES order. */
export function defaultChain(taskType: TaskType): Role[] {
  const means = PRIOR_MEANS[taskType];
  return [...ROLES].sort((a, b) => means[b] - means[a] || ROLES.indexOf(a) - ROLES.indexOf(b));
}

/** The static chain as model tags, for a role → tag mapping (defaults to DEFAULT_ROLE_MODELS). */
export function defaultModelChain(taskType: TaskType, roleModels: Readonly<Record<Role, string>> = DEFAULT_ROLE_MODELS): string[] {
  return defaultChain(taskType).map((r) => roleModels[r]);
}
