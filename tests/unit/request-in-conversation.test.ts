import { describe, expect, it } from "vitest";
import { TASK_TYPES } from "../../lib/domain";
import { taskClassifier } from "../../lib/learning/shipped-task-classifier";
import { classifyInConversation, isFollowUp, ownWords, withPrevious } from "../../lib/learning/request-in-conversation";
import { loadFollowUps, loadSplit } from "../../bench/classification/corpus";
import { afterUnrelatedReport, followUpReport } from "../../bench/classification/run";

// Examples written for this test (not from the follow-up sets the reading was chosen or measured on).
describe("a request read in its conversation", () => {
  const clf = taskClassifier();

  it("reads a first request exactly as the classifier does", () => {
    for (const prompt of ["Write a Go HTTP handler that accepts JSON", "what's 14% of 380?", "hi there"]) {
      expect(classifyInConversation(clf, prompt, null)).toEqual({ ...clf.classify(prompt), conversationWeight: 0 });
      expect(classifyInConversation(clf, prompt, "   ")).toEqual({ ...clf.classify(prompt), conversationWeight: 0 });
    }
  });

  it("reads a follow-up that says little by itself as what it continues", () => {
    expect(clf.classify("continue").taskType).not.toBe("code_generation"); // alone, a guess
    expect(classifyInConversation(clf, "continue", "Write a TypeScript function that debounces another function").taskType).toBe("code_generation");
    expect(classifyInConversation(clf, "and for 35%?", "what is 12% of 640?").taskType).toBe("math");
    expect(classifyInConversation(clf, "and in kotlin?", "write a Java class for a bank account with deposit and withdraw").taskType).toBe("code_generation");
  });

  it("is a follow-up (its conversation counts at least as much as its words) at four words or fewer of its own", () => {
    const before = "Write a TypeScript function that debounces another function";
    expect(isFollowUp(classifyInConversation(clf, "continue", before))).toBe(true);
    expect(isFollowUp(classifyInConversation(clf, "and in rust?", before))).toBe(true);
    expect(isFollowUp(classifyInConversation(clf, "Now write a Python script that renames every jpeg in a folder", before))).toBe(false);
    expect(isFollowUp(classifyInConversation(clf, "continue", null))).toBe(false);
  });

  it("reads a follow-up that says what it wants as that", () => {
    expect(classifyInConversation(clf, "it crashes with TypeError: cannot read properties of undefined (reading 'map')", "write a React list component for the users array").taskType).toBe("debugging");
    expect(classifyInConversation(clf, "how would this hold up at 50k requests per second across three regions?", "write a Flask endpoint that stores orders").taskType).toBe("architecture");
  });

  it("counts a request's own words in any script: a Chinese or Japanese question has words without spaces", () => {
    expect(ownWords("and in rust?")).toBe(3);
    expect(ownWords("继续")).toBe(1);
    expect(ownWords("продолжай")).toBe(1);
    expect(ownWords("为什么这个函数在并发时会死锁？")).toBeGreaterThanOrEqual(6);
    expect(ownWords("Почему этот код падает с ошибкой сегментации при освобождении памяти?")).toBe(10);
    expect(ownWords("日本語の文章です。".repeat(500))).toBe(32); // counted no further than it matters
    const before = "Write a TypeScript function that debounces another function";
    expect(isFollowUp(classifyInConversation(clf, "继续", before))).toBe(true);
    // A new question in Chinese in an English conversation is its own request, not a follow-up of the one before.
    expect(isFollowUp(classifyInConversation(clf, "如何在 PostgreSQL 中为 JSONB 列上的查询创建索引？", before))).toBe(false);
  });

  it("puts the request before a follow-up first, shortened rather than the follow-up", () => {
    expect(withPrevious("and in rust?", "sort a list in go")).toBe("sort a list in go\nand in rust?");
    const long = withPrevious("and in rust?", "x".repeat(10_000), 100);
    expect(long).toHaveLength(100);
    expect(long.endsWith("\nand in rust?")).toBe(true);
  });

  it("gives a probability for every task type, summing to 1, the winner's as its confidence", () => {
    const r = classifyInConversation(clf, "more examples please", "explain what a monad is");
    expect(Object.keys(r.probabilities).sort()).toEqual([...TASK_TYPES].sort());
    expect(Object.values(r.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(r.confidence).toBe(Math.max(...Object.values(r.probabilities)));
    expect(r.probabilities[r.taskType]).toBe(r.confidence);
  });

  it("meets follow-ups written apart (follow-ups/test.jsonl, never used to choose): ≥ 90% exact, continuations ≥ 90%, switches ≥ 85%, above reading them alone", () => {
    const r = followUpReport(loadFollowUps("test"));
    expect(r.n).toBe(80);
    expect(r.inConversation).toBeGreaterThanOrEqual(0.9);
    expect(r.inConversation).toBeGreaterThan(r.alone);
    expect(r.continuing.inConversation).toBeGreaterThanOrEqual(0.9);
    expect(r.switching.inConversation).toBeGreaterThanOrEqual(0.85);
  });

  it("costs little where the request before is unrelated (test and probe requests, each after one of another task type): within 2 points of reading them alone", () => {
    const r = afterUnrelatedReport([...loadSplit("test"), ...loadSplit("probe")]);
    expect(r.n).toBeGreaterThan(2000);
    expect(r.inConversation).toBeGreaterThanOrEqual(r.alone - 0.02);
  });
});
