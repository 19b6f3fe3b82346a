import { describe, expect, it } from "vitest";
import { DEFAULT_GUARDRAILS, decide, guardrailBreach, lookBoundary, obrienFlemingConstant, summarizeArm } from "../../lib/learning/experiment-stats";
import { interactionSuccess, type OutcomeRow } from "../../lib/domain/reward";
import { assignArm } from "../../lib/learning/assign";
import { themesOf } from "../../lib/learning/themes";
import { applyChange, diffConfigs, textDiff } from "../../lib/learning/proposals";
import { fingerprintOf } from "../../lib/learning/proposal-fingerprint";

const auto = { truncated: false, empty: false, refused: false, hasCodeBlock: true, codeExpected: true, mathAnswerPresent: false, mathExpected: false };
const row = (o: Partial<OutcomeRow>): OutcomeRow => ({ status: "completed", success_rating: null, feedback: {}, response_time: 100, ...o });

describe("success of one answer", () => {
  it("is the rating first, then thumbs, then the automatic reward; failures fail; running ones do not count", () => {
    expect(interactionSuccess(row({ success_rating: 4, feedback: { thumbs: "down" } }))).toBe(true);
    // One definition with the bandits and the dashboards: reward ≥ 0.5, so 3 stars (0.5) succeed and 2 (0.25) do not.
    expect(interactionSuccess(row({ success_rating: 3, feedback: { thumbs: "down" } }))).toBe(true);
    expect(interactionSuccess(row({ success_rating: 2, feedback: { thumbs: "up" } }))).toBe(false);
    expect(interactionSuccess(row({ feedback: { thumbs: "up", auto: { ...auto, empty: true } } }))).toBe(true);
    expect(interactionSuccess(row({ feedback: { auto } }))).toBe(true);
    expect(interactionSuccess(row({ feedback: { auto: { ...auto, hasCodeBlock: false } } }))).toBe(false);
    expect(interactionSuccess(row({ status: "failed" }))).toBe(false);
    expect(interactionSuccess(row({ status: "started" }))).toBeNull();
  });
});

describe("decision boundaries", () => {
  it("equal the thresholds with one look and are stricter at early looks", () => {
    const one = lookBoundary({ promoteThreshold: 0.95, stopThreshold: 0.05, minSamples: 10, maxLooks: 1 }, 1);
    expect(one.promoteAt).toBeCloseTo(0.95, 4);
    expect(one.stopAt).toBeCloseTo(0.05, 4);
    const d = { promoteThreshold: 0.95, stopThreshold: 0.05, minSamples: 10, maxLooks: 4 };
    expect(lookBoundary(d, 1).promoteAt).toBeGreaterThan(lookBoundary(d, 2).promoteAt);
    expect(lookBoundary(d, 4).promoteAt).toBeGreaterThan(0.95);
    // O'Brien–Fleming constants near the published ones (one-sided 0.025: K=2 1.977, K=4 2.024).
    expect(obrienFlemingConstant(2, 0.025)).toBeCloseTo(1.98, 1);
    expect(obrienFlemingConstant(4, 0.025)).toBeCloseTo(2.03, 1);
  });

  const arm = (successes: number, n: number, extra: Partial<OutcomeRow> = {}) =>
    summarizeArm(Array.from({ length: n }, (_, i) => row({ success_rating: i < successes ? 5 : 1, ...extra })));
  const design = { promoteThreshold: 0.95, stopThreshold: 0.05, minSamples: 20, maxLooks: 2 };
  const base = { design, guardrails: DEFAULT_GUARDRAILS, lastLook: 0, elapsedMs: 0, maxDurationMs: 1e12 };

  it("promotes, stops, waits for samples, decides once per look, and stops at the maximum duration", () => {
    expect(decide({ ...base, control: arm(8, 20), variant: arm(19, 20) }).action).toBe("promote");
    expect(decide({ ...base, control: arm(19, 20), variant: arm(8, 20) }).action).toBe("stop");
    expect(decide({ ...base, control: arm(2, 19), variant: arm(19, 19) })).toMatchObject({ action: "continue", reason: "waiting for samples" });
    expect(decide({ ...base, lastLook: 1, control: arm(8, 25), variant: arm(24, 25) }).action).toBe("continue");
    expect(decide({ ...base, control: arm(10, 20), variant: arm(11, 20), elapsedMs: 2e12 }).reason).toMatch(/maximum duration/);
    expect(decide({ ...base, lastLook: 1, control: arm(20, 40), variant: arm(21, 40) })).toMatchObject({ action: "stop", reason: expect.stringMatching(/no clear winner/) });
  });

  it("rolls back on the error-rate and p95 guardrails", () => {
    const ok = arm(5, 25);
    const failing = summarizeArm([...Array.from({ length: 3 }, () => row({ status: "failed" })), ...Array.from({ length: 3 }, () => row({ success_rating: 5 }))]);
    expect(guardrailBreach(ok, failing, DEFAULT_GUARDRAILS)).toMatch(/error rate 50%/);
    const slow = arm(5, 25, { response_time: 9000 });
    expect(guardrailBreach(ok, slow, DEFAULT_GUARDRAILS)).toMatch(/p95 latency 9000 ms/);
    expect(guardrailBreach(ok, arm(5, 25, { response_time: 140 }), DEFAULT_GUARDRAILS)).toBeNull();
    expect(decide({ ...base, control: ok, variant: slow }).action).toBe("rollback");
  });
});

describe("sticky arms", () => {
  it("are deterministic per (conversation, experiment) and follow the split", () => {
    expect(assignArm("conv-1", "exp-1", 0.5)).toBe(assignArm("conv-1", "exp-1", 0.5));
    const n = 4000;
    const variants = Array.from({ length: n }, (_, i) => assignArm(`c-${i}`, "exp", 0.3)).filter((a) => a === "variant").length;
    expect(variants / n).toBeGreaterThan(0.27);
    expect(variants / n).toBeLessThan(0.33);
    const other = Array.from({ length: 200 }, (_, i) => assignArm(`c-${i}`, "exp-2", 0.5) === assignArm(`c-${i}`, "exp", 0.5)).filter(Boolean).length;
    expect(other).toBeLessThan(150); // another experiment reshuffles
  });
});

describe("feedback themes and proposed changes", () => {
  it("places tagged feedback and telling phrases in the known themes", () => {
    expect(themesOf({ tags: ["needs comments"], text: "" }).map((t) => t.id)).toEqual(["needs_comments"]);
    expect(themesOf({ tags: [], text: "Please add comments to the code" }).map((t) => t.id)).toEqual(["needs_comments"]);
    expect(themesOf({ tags: [], text: "more detailed explanations please" }).map((t) => t.id)).toEqual(["needs_comments"]);
  });

  it("one instruction for several roles and task types is one change, applied to each of those prompts only", () => {
    const config = { prompts: { lead_developer: "You write code.", math: "You do maths.", architect: "You design." } };
    const change = { type: "append_instruction" as const, role: "lead_developer" as const, roles: ["lead_developer" as const, "math" as const], taskType: "code_generation" as const, taskTypes: ["code_generation" as const, "debugging" as const], instruction: "Use async/await." };
    const next = applyChange(config, change);
    expect(Object.keys(next.task_prompts ?? {}).sort()).toEqual(["lead_developer", "math"]);
    expect(next.task_prompts?.math?.debugging).toBe("You do maths.\n\nUse async/await.");
    expect(next.task_prompts?.lead_developer?.code_generation).toBe("You write code.\n\nUse async/await.");
    expect(next.task_prompts?.math?.architecture).toBeUndefined();
    expect(fingerprintOf(change)).toBe(fingerprintOf({ ...change, role: "math", taskType: "debugging" }));
  });

  it("appends an instruction to a role's task prompt, shown as a diff, idempotently", () => {
    const config = { prompts: { lead_developer: "You write code." } };
    const change = { type: "append_instruction" as const, role: "lead_developer" as const, taskType: "code_generation" as const, instruction: "Provide detailed comments and explanations in the code." };
    const next = applyChange(config, change);
    expect(next.task_prompts?.lead_developer?.code_generation).toBe("You write code.\n\nProvide detailed comments and explanations in the code.");
    expect(config).toEqual({ prompts: { lead_developer: "You write code." } });
    expect(applyChange(next, change)).toEqual(next);
    const diff = diffConfigs(config, next);
    expect(diff).toHaveLength(1);
    expect(diff[0]).toMatchObject({ path: "task_prompts.lead_developer.code_generation", text: [{ op: "added", value: "You write code.\n\nProvide detailed comments and explanations in the code." }] });
    // Two separate edits show as two runs each, with the unchanged text between them kept.
    const two = textDiff("Be brief. Use Python. Cite sources.", "Be thorough. Use Python. Cite nothing.");
    expect(two.filter((p) => p.op === "removed").map((p) => p.value)).toEqual(["brief", "sources"]);
    expect(two.filter((p) => p.op === "added").map((p) => p.value)).toEqual(["thorough", "nothing"]);
    expect(two.filter((p) => p.op === "same").map((p) => p.value).join("")).toContain("Use Python.");
    expect(fingerprintOf(change, "needs_comments")).toBe("system_prompt:lead_developer:code_generation:needs_comments");
  });

  it("tells two long instructions that open alike apart, and one instruction in other case and punctuation is the same", () => {
    const opening = "Whenever the answer contains code that writes diagnostic output, use a logging library";
    const change = (instruction: string) => ({ type: "append_instruction" as const, role: "lead_developer" as const, roles: ["lead_developer" as const], taskType: "code_generation" as const, taskTypes: ["code_generation" as const], instruction });
    const a = fingerprintOf(change(`${opening} with levels.`));
    const b = fingerprintOf(change(`${opening} and set its level from the environment.`));
    expect(a).not.toBe(b);
    expect(a.startsWith("system_prompt:whenever-the-answer-contains-code")).toBe(true);
    expect(fingerprintOf(change(`${opening.toUpperCase()}   WITH LEVELS!`))).toBe(a);
    expect(fingerprintOf(change("Use async/await."))).toBe("system_prompt:use-async-await-");
  });
});
