import { describe, expect, it } from "vitest";
import { textParts } from "../../lib/learning/text-features";
import { partlyRead, softmax, SURE } from "../../lib/learning/linear-text-classifier";
import { taskClassifier } from "../../lib/learning/shipped-task-classifier";
import { classifyFollowUp } from "../../lib/learning/follow-up-classifier";
import { classifyTheme } from "../../lib/learning/theme-classifier";
import { readFollowUp } from "../../lib/learning/implicit-signal";
import { combineVotes, DEFAULT_VOTER_WEIGHTS, votesFrom } from "../../lib/learning/ensemble";
import { loadSplit } from "../../bench/classification/corpus";

// The classifiers learned from English corpora: their words are ASCII. A text in another
// script is read in part or not at all, and they must say so instead of guessing from its shape.
describe("text the classifiers cannot read", () => {
  it("is measured as the share of a text's letters inside the words read", () => {
    expect(textParts("Why does my Rust build fail with E0502?").readShare).toBe(1);
    expect(textParts("").readShare).toBe(1);
    expect(textParts("12 * 13 = ? 🙂").readShare).toBe(1); // no letters: nothing unread
    expect(textParts("为什么我的C程序在释放指针两次时会段错误？").readShare).toBeCloseTo(1 / 20, 9); // "C" of 20 letters
    expect(textParts("用Python写一个快速排序函数").readShare).toBeCloseTo(6 / 16, 9);
    expect(textParts("Всё ещё та же ошибка").readShare).toBe(0);
    expect(textParts("Explique-moi la différence entre un processus et un thread").readShare).toBeGreaterThan(0.95);
  });

  it("moves probabilities toward even by the share unread, keeping their sum and their ranking", () => {
    const p = [0.7, 0.2, 0.1];
    expect(partlyRead(p, 1)).toEqual(p);
    for (const share of [0.5, 0.1, 0]) {
      const q = partlyRead(p, share);
      expect(q.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(q[0]).toBeGreaterThan(q[1]);
      expect(q[1]).toBeGreaterThan(q[2]);
      expect(q[0]).toBeLessThan(p[0]);
    }
    expect(Math.max(...partlyRead(p, 0))).toBeLessThan(1 / 3 + 0.01);
  });

  it("leaves what an English request reads as exactly the calibrated probabilities it was trained to give", () => {
    const clf = taskClassifier();
    for (const { text } of loadSplit("test").slice(0, 80)) {
      const expected = softmax(clf.logits(text), clf.model.temperature);
      const got = clf.model.labels.map((l) => clf.classify(text).probabilities[l as keyof ReturnType<typeof clf.classify>["probabilities"]]);
      got.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 12));
    }
  });

  it("does not classify a request it cannot read with confidence, so the router model is asked", () => {
    for (const text of ["为什么我的C程序在释放指针两次时会段错误？", "设计一个每秒处理一万次写入的短链接服务", "Как сделать так, чтобы сервер не падал под нагрузкой", "이 함수가 왜 느린지 알려주세요"]) {
      expect(taskClassifier().classify(text).confidence, text).toBeLessThan(SURE);
    }
    // What it can read it still reads: the code word and the equation.
    expect(taskClassifier().classify("用Python写一个快速排序函数").taskType).toBe("code_generation");
    expect(taskClassifier().classify("Berechne das Integral von x^2 von 0 bis 3").confidence).toBeGreaterThan(0.9);
  });

  it("lets the router model's reading decide a request the classifier cannot read, and not one it reads", () => {
    const vote = (text: string, router: "debugging" | "general") =>
      combineVotes(votesFrom(DEFAULT_VOTER_WEIGHTS, { features: taskClassifier().classify(text), router_model: { taskType: router, confidence: 0.9 } })).taskType;
    // With the router model's starting weight (it has earned nothing yet), its word decides only what the classifier could not read.
    expect(vote("为什么我的C程序在释放指针两次时会段错误？", "debugging")).toBe("debugging");
    expect(vote("Segmentation fault when I free a pointer twice", "general")).toBe("debugging");
  });

  it("reads no verdict into a follow-up it cannot read (\"still the same error\" was thanks at 0.69)", () => {
    for (const text of ["还是不行，同样的错误", "Всё ещё та же ошибка", "谢谢，成功了", "まだ同じエラーが出ます"]) {
      const classified = classifyFollowUp(text);
      expect(Math.max(classified.failed, classified.thanks, classified.rephrase), text).toBeLessThan(SURE);
      expect(readFollowUp({ text, classify: classifyFollowUp, toPrevious: null, toExamples: null, examples: 0, scale: null }), text).toBeNull();
      expect(Math.max(...Object.values(classifyTheme(text))), text).toBeLessThan(SURE);
    }
    // An English one is still read.
    const english = classifyFollowUp("that fixed it, thank you so much");
    expect(english.thanks).toBeGreaterThan(SURE);
  });
});
