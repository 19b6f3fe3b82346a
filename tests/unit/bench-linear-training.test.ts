import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { linearTextClassifierFrom } from "../../lib/learning/linear-text-classifier";
import { runSeed, trainLinearTextModel, type LabelledText } from "../../bench/support/linear-training";

// A small corpus where the two labels share words, so a training's answer depends on the
// order it saw the examples in.
const topics = {
  maths: ["integral", "derivative", "probability", "matrix", "equation", "prime numbers", "variance", "limit"],
  code: ["python list", "null pointer", "sql join", "react hook", "rust borrow", "regex", "unit test", "git rebase"],
};
const frames = ["help me with the {}", "I am stuck on {} again", "how does {} work", "explain {} simply", "quick question about {}", "why does my {} fail"];
const corpus = (offset: number): LabelledText[] =>
  Object.entries(topics).flatMap(([label, words]) => words.flatMap((w, i) => frames.filter((_, j) => (i + j + offset) % 2 === 0).map((f) => ({ text: f.replace("{}", w), label }))));
const trainSet = corpus(0);
const validation = corpus(1);
const grid = { l2: [1e-3], epochs: [3] };
const probes = ["help me with the matrix", "why does my sql join fail", "explain regex simply", "quick question about variance", "I am stuck on git rebase again"];
const logitsOf = (model: ReturnType<typeof trainLinearTextModel>["model"]) => probes.flatMap((t) => Array.from(linearTextClassifierFrom(model).logits(t)));

describe("bench/support/linear-training: averaging shuffle orders", () => {
  beforeEach(() => void vi.spyOn(console, "log").mockImplementation(() => {}));
  afterEach(() => vi.restoreAllMocks());

  it("the averaged model answers as the mean of the single trainings it averages", () => {
    const labels = ["maths", "code"];
    const first = trainLinearTextModel({ labels, trainSet, validation, seed: 3, grid, bag: 1 });
    const second = trainLinearTextModel({ labels, trainSet, validation, seed: runSeed(3, 1), grid, bag: 1 });
    const bagged = trainLinearTextModel({ labels, trainSet, validation, seed: 3, grid, bag: 2 });
    const [a, b, m] = [logitsOf(first.model), logitsOf(second.model), logitsOf(bagged.model)];
    // Two orders give different models (else averaging would be no test at all)…
    expect(a.some((x, i) => Math.abs(x - b[i]) > 0.1)).toBe(true);
    // …and the average is their mean, up to the artefact's rounding of each weight.
    m.forEach((x, i) => expect(x).toBeCloseTo((a[i] + b[i]) / 2, 2));
  });

  it("is deterministic: the same data, seed and bag give the same artefact", () => {
    const labels = ["maths", "code"];
    const once = trainLinearTextModel({ labels, trainSet, validation, seed: 5, grid, bag: 3 });
    const again = trainLinearTextModel({ labels, trainSet, validation, seed: 5, grid, bag: 3 });
    expect(JSON.stringify(again.model)).toBe(JSON.stringify(once.model));
  });
});
