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
  fitsContext,
  ANSWER_RESERVE_TOKENS,
  normalizeModel,
  readDecision,
  roleLabel,
  roleNamed,
  taskTypeNamed,
  CHAT_TASK_TYPES,
  rosterFromRows,
  isRoutedModel,
  isUnusableAnswer,
  sameModel,
} from "../../lib/domain";

const mean = (p: { alpha: number; beta: number }) => p.alpha / (p.alpha + p.beta);

describe("domain", () => {
  it("tells an unusable answer from a failure to serve the request", () => {
    for (const r of ["empty", "refused", "truncated"]) expect(isUnusableAnswer(r)).toBe(true);
    // Ollama's failures (lib/ollama/errors.ts) and the run's own: the request was not served.
    for (const r of ["unreachable", "timeout", "model_missing", "http", "stream_broken", "malformed", "context_overflow", "no_healthy_host", "error", "cancelled", null, undefined, "toString"])
      expect(isUnusableAnswer(r)).toBe(false);
  });

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

  it("normalises model tags the way Ollama names them", () => {
    expect(normalizeModel("openhermes")).toBe("openhermes:latest");
    expect(normalizeModel(" openhermes:latest ")).toBe("openhermes:latest");
    expect(normalizeModel("library/openhermes")).toBe("library/openhermes:latest");
    // A registry host with a port is not a tag.
    expect(normalizeModel("localhost:5000/team/coder")).toBe("localhost:5000/team/coder:latest");
    expect(normalizeModel("localhost:5000/team/coder:7b")).toBe("localhost:5000/team/coder:7b");
    expect(sameModel("wizardcoder", "wizardcoder:latest")).toBe(true);
    expect(sameModel("wizardcoder:7b", "wizardcoder")).toBe(false);
  });

  it("builds a roster from rows, defaults where a role has none, and finds a model's role", () => {
    const r = rosterFromRows([{ role: "math", model_tag: "qwen2-math" }, { role: "embedding", model_tag: "mxbai-embed-large" }, { role: "nonsense", model_tag: "x" }]);
    expect(r.roles.math).toBe("qwen2-math");
    expect(r.roles.router).toBe(DEFAULT_ROLE_MODELS.router);
    expect(r.embedding).toBe("mxbai-embed-large");
    expect(r.roleOf("qwen2-math:latest")).toBe("math");
    expect(r.roleOf("openhermes")).toBe("router");
    expect(r.roleOf("x")).toBeNull();
  });

  it("routes the roles' models, each once, then the models routed without a role that play none and do not embed", () => {
    const r = rosterFromRows(
      [{ role: "math", model_tag: "qwen2-math" }, { role: "architect", model_tag: "qwen2-math:latest" }, { role: "embedding", model_tag: "mxbai-embed-large" }],
      ["phi3:mini", "qwen2-math", "mxbai-embed-large:latest", "phi3:mini", "gemma2"],
    );
    expect(r.routed).toEqual([
      { model: DEFAULT_ROLE_MODELS.router, role: "router" },
      { model: "qwen2-math", role: "math" },
      { model: DEFAULT_ROLE_MODELS.lead_developer, role: "lead_developer" },
      { model: DEFAULT_ROLE_MODELS.senior_developer, role: "senior_developer" },
      { model: "phi3:mini", role: null },
      { model: "gemma2", role: null },
    ]);
    expect(isRoutedModel(r, "gemma2:latest")).toBe(true);
    expect(isRoutedModel(r, "mxbai-embed-large")).toBe(false);
    expect(isRoutedModel(r, "llama3")).toBe(false);
    expect(r.roleOf("gemma2")).toBeNull();
    expect(rosterFromRows([]).routed).toHaveLength(new Set(Object.values(DEFAULT_ROLE_MODELS)).size);
  });

  it("names roles for people, in a sentence or on their own", () => {
    expect(roleLabel("lead_developer")).toBe("Lead developer");
    expect(roleLabel("math", { inSentence: true })).toBe("math specialist");
    expect(roleLabel("embedding")).toBe("Embeddings");
    expect(roleLabel("unknown_role")).toBe("unknown_role");
    expect(roleLabel(null)).toBe("");
  });

  it("reads stored routing decisions through one schema, leniently", () => {
    expect(readDecision({ model: "m", params: { temperature: 0.2 }, attempts: [{ model: "m", role: null, ok: false, reason: "timeout", message: null, ms: 3 }] })).toMatchObject({
      model: "m",
      params: { temperature: 0.2 },
      attempts: [{ reason: "timeout" }],
    });
    expect(readDecision(null)).toEqual({});
    expect(readDecision({ model: "kept", params: "not an object" })).toEqual({ model: "kept" });
  });

  it("checks that a prompt fits a context window with room for the answer; an unknown window never refuses", () => {
    expect(fitsContext(4096 - ANSWER_RESERVE_TOKENS, 4096)).toBe(true);
    expect(fitsContext(4096 - ANSWER_RESERVE_TOKENS + 1, 4096)).toBe(false);
    expect(fitsContext(5000, 4096, 0)).toBe(false);
    expect(fitsContext(1_000_000, null)).toBe(true);
    expect(fitsContext(1_000_000, 0)).toBe(true);
  });

  it("reads a role as people name it, and nothing else as one", () => {
    for (const r of ROLES) {
      expect(roleNamed(r)).toBe(r);
      expect(roleNamed(roleLabel(r))).toBe(r);
      expect(roleNamed(r.split("_")[0].toUpperCase())).toBe(r);
    }
    expect(roleNamed("the maths specialist")).toBe("math");
    expect(roleNamed("  Maths ")).toBe("math");
    expect(roleNamed("senior dev")).toBe("senior_developer");
    expect(roleNamed("lead-developer model")).toBe("lead_developer");
    expect(roleNamed("The Architect")).toBe("architect");
    for (const no of ["", "the", "maths would have been better", "mathstral", "junior developer", "lead architect", "developer"]) expect(roleNamed(no)).toBeNull();
  });

  it("reads a task type as people write it, and nothing else as one", () => {
    for (const t of CHAT_TASK_TYPES) {
      expect(taskTypeNamed(t)).toBe(t);
      expect(taskTypeNamed(t.replace(/_/g, " ").toUpperCase())).toBe(t);
      expect(taskTypeNamed(` ${t.replace(/_/g, "-")} `)).toBe(t);
    }
    expect(taskTypeNamed("Maths")).toBe("math");
    expect(taskTypeNamed("refactoring / optimisation".replace(" / ", " "))).toBe("refactoring_optimization");
    expect(taskTypeNamed("refactoring")).toBe("refactoring_optimization");
    expect(taskTypeNamed("code")).toBe("code_generation");
    expect(taskTypeNamed("debug")).toBe("debugging");
    for (const no of ["", "completion", "coding", "optimization", "generation", "bug fixing", "code review", "general question"]) expect(taskTypeNamed(no), no).toBeNull();
  });
});
