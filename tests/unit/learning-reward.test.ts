import { describe, expect, it } from "vitest";
import { autoChecks, hasBalancedCodeBlock, hasFinalNumericAnswer, rewardFrom, type AutoSignals } from "../../lib/domain/reward";

const clean: AutoSignals = {
  truncated: false,
  empty: false,
  refused: false,
  hasCodeBlock: true,
  codeExpected: true,
  mathAnswerPresent: false,
  mathExpected: false,
};

describe("rewardFrom", () => {
  it("puts an explicit rating first", () => {
    expect(rewardFrom({ rating: 5, regenerated: true, auto: { ...clean, empty: true } })).toEqual({ reward: 1, source: "explicit", success: true });
    expect(rewardFrom({ rating: 1, copied: true, auto: clean })).toEqual({ reward: 0, source: "explicit", success: false });
    expect(rewardFrom({ rating: 3, auto: clean }).reward).toBe(0.5);
    expect(rewardFrom({ thumbs: "down", copied: true, auto: clean })).toMatchObject({ reward: 0, source: "explicit", success: false });
    expect(rewardFrom({ rating: 4, thumbs: "down", auto: clean }).reward).toBe(0.75);
  });

  it("uses implicit signals next", () => {
    expect(rewardFrom({ corrected: true, auto: clean })).toMatchObject({ source: "implicit", success: false });
    expect(rewardFrom({ regenerated: true, auto: clean })).toMatchObject({ source: "implicit", success: false });
    expect(rewardFrom({ copied: true, auto: clean })).toMatchObject({ source: "implicit", success: true });
    expect(rewardFrom({ copied: true, auto: clean }).reward).toBeGreaterThan(rewardFrom({ auto: clean }).reward);
    expect(rewardFrom({ copied: true, regenerated: true, auto: clean }).reward).toBe(0.5);
  });

  it("takes the user's other verdicts after a rating and thumbs: tags, a preference, a better model named", () => {
    expect(rewardFrom({ tags: ["great"], corrected: true, auto: clean })).toMatchObject({ reward: 1, source: "explicit" });
    expect(rewardFrom({ tags: ["wrong"], copied: true, auto: clean })).toMatchObject({ reward: 0.2, source: "explicit", success: false });
    expect(rewardFrom({ tags: ["great", "incomplete"], auto: clean }).reward).toBe(0.5);
    expect(rewardFrom({ tags: ["needs comments"], auto: clean }).source).toBe("automatic"); // a tag with no verdict says nothing
    expect(rewardFrom({ preferred: true, auto: { ...clean, truncated: true } }).reward).toBe(1);
    expect(rewardFrom({ preferred: false, tags: ["wrong"], auto: clean }).reward).toBe(0);
    expect(rewardFrom({ betterModel: true, auto: clean }).reward).toBe(0);
    expect(rewardFrom({ betterModel: true, thumbs: "up", auto: clean }).reward).toBe(1);
  });

  it("reads the next message and asking again as implicit signals, never lifting an answer the checks found broken", () => {
    expect(rewardFrom({ followUp: "failed", auto: clean })).toMatchObject({ reward: 0.2, source: "implicit" });
    expect(rewardFrom({ followUp: "thanks", auto: clean })).toMatchObject({ reward: 0.85, success: true });
    expect(rewardFrom({ followUp: "thanks", auto: { ...clean, truncated: true } }).reward).toBe(0.85); // the user says it worked
    expect(rewardFrom({ followUp: "abandoned", auto: { ...clean, empty: true } }).reward).toBe(0);
    expect(rewardFrom({ followUp: "rephrase", auto: { ...clean, hasCodeBlock: false } }).reward).toBe(0.3);
    expect(rewardFrom({ followUp: "failed", copied: true, auto: clean }).reward).toBe(0.5);
    expect(rewardFrom({ followUp: "failed", corrected: true, regenerated: true, auto: clean }).reward).toBe(0.1);
    expect(rewardFrom({ regenerated: true, followUp: "thanks", auto: clean }).reward).toBe(0.5);
  });

  it("falls back to automatic checks", () => {
    expect(rewardFrom({ auto: clean })).toMatchObject({ source: "automatic", success: true });
    expect(rewardFrom({ auto: { ...clean, empty: true } })).toMatchObject({ reward: 0, success: false });
    expect(rewardFrom({ auto: { ...clean, refused: true } }).success).toBe(false);
    expect(rewardFrom({ auto: { ...clean, truncated: true } }).success).toBe(false);
    expect(rewardFrom({ auto: { ...clean, hasCodeBlock: false } }).success).toBe(false);
    expect(rewardFrom({ auto: { ...clean, hasCodeBlock: false, codeExpected: false } }).success).toBe(true);
    expect(rewardFrom({ auto: { ...clean, mathExpected: true } }).success).toBe(false);
  });
});

describe("autoChecks", () => {
  it("checks fences for code task types", () => {
    const ok = "Here:\n```ts\nconst x = 1;\n```\nDone.";
    expect(autoChecks("code_generation", ok, "stop")).toMatchObject({ hasCodeBlock: true, codeExpected: true, truncated: false });
    expect(autoChecks("code_generation", "```ts\nconst x = 1;\n", "stop").hasCodeBlock).toBe(false);
    expect(autoChecks("code_generation", "```\n```", "stop").hasCodeBlock).toBe(false);
    expect(autoChecks("general", "hello", "stop").codeExpected).toBe(false);
    expect(hasBalancedCodeBlock("~~~\nx\n~~~")).toBe(true);
    expect(hasBalancedCodeBlock("```\nx\n```\n```py\ny")).toBe(false);
  });

  it("finds a final numeric answer for maths", () => {
    expect(hasFinalNumericAnswer("So we get \\boxed{42}.")).toBe(true);
    expect(hasFinalNumericAnswer("Work...\n#### 18")).toBe(true);
    expect(hasFinalNumericAnswer("The answer is $1,250.")).toBe(true);
    expect(hasFinalNumericAnswer("16 - 3 - 4 = 9 eggs, so she makes\n9 * 2 = 18")).toBe(true);
    expect(hasFinalNumericAnswer("It depends on what you mean by eggs.")).toBe(false);
    expect(autoChecks("math", "x = 3/4", "stop")).toMatchObject({ mathExpected: true, mathAnswerPresent: true });
  });

  it("detects refusals, empty and truncated answers", () => {
    expect(autoChecks("general", "I'm sorry, but I can't help with that.", "stop").refused).toBe(true);
    expect(autoChecks("general", "As an AI language model, I cannot browse.", "stop").refused).toBe(true);
    expect(autoChecks("general", "Sorry for the delay, here is the plan.", "stop").refused).toBe(false);
    expect(autoChecks("general", "  \n ", "stop").empty).toBe(true);
    expect(autoChecks("general", "long answer", "length").truncated).toBe(true);
    expect(rewardFrom({ auto: autoChecks("debugging", "```js\nfix()\n```", "length") }).success).toBe(false);
  });
});
