import { describe, expect, it } from "vitest";
import { classifyByFeatures } from "../../lib/orchestrator/features";
import { TASK_TYPES } from "../../lib/domain";
import { loadPrompts, loadProfiles } from "../../bench/routing/data";
import { evaluateClassifier } from "../../bench/routing/classify";

describe("classifyByFeatures", () => {
  it.each([
    ["What is the value of $\\frac{3}{4} + \\sqrt{16}$?", "math"],
    ["Tom has 12 apples and gives 5 to Ann. How many apples does he have left?", "math"],
    ["Write a Python function that returns the n-th Fibonacci number.", "code_generation"],
    ["My code throws TypeError: cannot read properties of undefined, can you fix the bug?", "debugging"],
    ["Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\n    main()\nKeyError: 'id'", "debugging"],
    ["Refactor this class to be more readable and optimize the hot loop.", "refactoring_optimization"],
    ["Design a URL shortening service like Bit.ly that scales to millions of users", "architecture"],
    ["What is the time complexity of Dijkstra's algorithm with a binary heap?", "algorithm"],
    ["Explain how garbage collection works in the JVM", "explanation"],
    ["Write a short poem about autumn leaves", "general"],
    ["hello there", "general"],
  ] as const)("%s → %s", (text, expected) => {
    expect(classifyByFeatures(text).taskType).toBe(expected);
  });

  it("returns a score for every task type and a confidence in (0, 1]", () => {
    const r = classifyByFeatures("Design a distributed cache");
    expect(Object.keys(r.scores).sort()).toEqual([...TASK_TYPES].sort());
    expect(r.confidence).toBeGreaterThan(0);
    expect(r.confidence).toBeLessThanOrEqual(1);
  });

  it("is more confident with more evidence", () => {
    const weak = classifyByFeatures("hello there").confidence;
    const strong = classifyByFeatures("Compute $\\int_0^1 x^2 dx$ and solve the equation x^2 = 4").confidence;
    expect(strong).toBeGreaterThan(weak);
  });

  it("classifies the routing benchmark (1,468 real prompts) with accuracy ≥ 0.92 (measured 0.953)", () => {
    const report = evaluateClassifier(loadPrompts(), loadProfiles(), (t) => classifyByFeatures(t).taskType);
    expect(report.n).toBe(1468);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.92);
    // No category may collapse, the small architecture set included.
    for (const c of Object.values(report.perCategory)) expect(c.accuracy).toBeGreaterThanOrEqual(0.85);
  });
});
