import { describe, expect, it } from "vitest";
import {
  DEFAULT_ROLE_MODELS,
  ROLE_PRIORS,
  ROLES,
  TASK_TYPES,
  defaultChain,
  defaultModelChain,
  defaultRole,
  isTaskType,
} from "../../lib/orchestrator/domain";

const mean = (p: { alpha: number; beta: number }) => p.alpha / (p.alpha + p.beta);

describe("domain", () => {
  it("maps every role to its default model", () => {
    expect(DEFAULT_ROLE_MODELS).toEqual({
      router: "openhermes",
      math: "mathstral",
      lead_developer: "deepseek-coder:6.7b",
      senior_developer: "codellama:7b-instruct",
      architect: "wizardcoder",
    });
  });

  it("keeps every prior modest so data overrides it quickly", () => {
    for (const t of TASK_TYPES)
      for (const r of ROLES) {
        const p = ROLE_PRIORS[t][r];
        expect(p.alpha + p.beta).toBeGreaterThanOrEqual(4);
        expect(p.alpha + p.beta).toBeLessThanOrEqual(6);
        expect(p.alpha).toBeGreaterThan(0);
        expect(p.beta).toBeGreaterThan(0);
      }
  });

  it("follows the role table", () => {
    expect(defaultRole("math")).toBe("math");
    expect(defaultRole("architecture")).toBe("architect");
    expect(defaultRole("explanation")).toBe("router");
    expect(defaultRole("general")).toBe("router");
    expect(["math", "lead_developer"]).toContain(defaultRole("algorithm"));
    for (const t of ["code_generation", "debugging", "refactoring_optimization"] as const) {
      expect(defaultChain(t).slice(0, 3)).toEqual(["lead_developer", "senior_developer", "architect"]);
    }
    expect(mean(ROLE_PRIORS.math.math)).toBeGreaterThan(mean(ROLE_PRIORS.math.lead_developer));
  });

  it("gives a chain with every role once", () => {
    for (const t of TASK_TYPES) expect([...defaultChain(t)].sort()).toEqual([...ROLES].sort());
    expect(defaultModelChain("debugging")[0]).toBe("deepseek-coder:6.7b");
    expect(defaultModelChain("debugging", { ...DEFAULT_ROLE_MODELS, lead_developer: "qwen2.5-coder" })[0]).toBe("qwen2.5-coder");
  });

  it("recognises task types", () => {
    expect(isTaskType("debugging")).toBe(true);
    expect(isTaskType("poetry")).toBe(false);
    expect(isTaskType(3)).toBe(false);
  });
});
