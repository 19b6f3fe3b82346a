import { describe, expect, it } from "vitest";
import { FeatureIndex } from "../../lib/learning/feature-index";
import { textFeatures } from "../../lib/learning/text-features";
import { taskClassifier } from "../../lib/learning/shipped-task-classifier";
import { loadSplit } from "../../bench/classification/corpus";

// The request path reads features through FeatureIndex's memos; training reads textFeatures.
// They must be the same set, or the shipped weights would be read against other features.
describe("FeatureIndex", () => {
  const texts = [...loadSplit("test"), ...loadSplit("published").slice(0, 300)].map((x) => x.text);

  it("gives exactly textFeatures' distinct set: the known ids and the count of all", () => {
    const features = taskClassifier().model.features;
    const index = new FeatureIndex(features);
    const ids = new Map(features.map((f, i) => [f, i]));
    for (const pass of [1, 2]) {
      for (const text of texts) {
        const expected = textFeatures(text);
        const got = index.read(text);
        expect(got.distinct, `${pass}: ${text.slice(0, 40)}`).toBe(expected.length);
        const known = expected.flatMap((f) => (ids.has(f) ? [ids.get(f)!] : [])).sort((a, b) => a - b);
        expect([...got.known].sort((a, b) => a - b)).toEqual(known);
      }
    }
  });

  it("counts a repeated word, pair or unknown feature once, and forgets nothing it needs when its memos start afresh", () => {
    const index = new FeatureIndex(["w:fix", "c:<fi", "b:fix fix"]);
    const once = index.read("fix");
    const thrice = index.read("fix fix fix");
    expect(thrice.distinct).toBe(once.distinct + 1); // only the bigram "fix fix" is new
    expect([...thrice.known].sort()).toEqual([0, 1, 2]);
    // many distinct unknown words push the memos past their bound; reads stay exact
    for (let i = 0; i < 3000; i++) {
      const text = `zq${i}word and zq${i + 1}word fix`;
      expect(index.read(text).distinct).toBe(textFeatures(text).length);
    }
  });

  it("finds a word's character n-grams by number exactly as their strings would be found: identifiers, c++, c#, don't, x-ray, snake_case, other scripts", () => {
    const features = taskClassifier().model.features;
    const index = new FeatureIndex(features);
    const ids = new Map(features.map((f, i) => [f, i]));
    for (const text of [
      "calculateTotalPriceWithDiscount is undefined in c++ and c# code",
      "don't x-ray the snake_case_identifier_here, it's a q&a: h2o co2",
      "zzqxv_unseen_token_123 vs zzqxv_unseen_token_124",
      "为什么 npm install 报 ERESOLVE 错误？快速排序快速排序",
      "React에서 useEffect가 두 번 실행돼요",
      "Почему падает сервер с ошибкой ECONNRESET, ошибка повторяется",
      "まだ同じエラーが出ます。Pythonのバージョンは3.11です",
      "π ≈ 3.14, λ = 2μs",
    ]) {
      const expected = textFeatures(text);
      const got = index.read(text);
      expect(got.distinct, text).toBe(expected.length);
      expect([...got.known].sort((a, b) => a - b)).toEqual(expected.flatMap((f) => (ids.has(f) ? [ids.get(f)!] : [])).sort((a, b) => a - b));
    }
  });
});

describe("the part of a long prompt that is read", () => {
  it("keeps the question asked after pasted code, and the classifier hears it", () => {
    const code = Array.from({ length: 120 }, (_, i) => `    total_${i} = compute_value(items[${i}], weights[${i}])`).join("\n");
    const prompt = `def summarise(items, weights):\n${code}\n    return total\n\nThis crashes with a KeyError on the last line, why does it fail and how do I fix the bug?`;
    expect(prompt.length).toBeGreaterThan(3000);
    const features = textFeatures(prompt);
    expect(features).toContain("w:keyerror");
    expect(features).toContain("b:the bug");
    expect(features).not.toContain("w:total_60"); // the middle of the paste is not read
    expect(taskClassifier().classify(prompt).taskType).toBe("debugging");
  });
});
