import { describe, expect, it } from "vitest";
import { textFeatures } from "../../lib/learning/text-features";

const marks = (text: string) => textFeatures(text).filter((f) => f.startsWith("s:num") || f === "s:percent");

describe("textFeatures: numbers as a kind", () => {
  it("marks how many numbers a request has, a short one with a number, a percentage and numbers combined in words", () => {
    expect(marks("What is 12 times 13?")).toEqual(["s:num2", "s:num-short", "s:num-op"]);
    expect(marks("What is 15% of 80?")).toEqual(["s:num2", "s:num-short", "s:percent"]);
    expect(marks("what is 7 factorial")).toEqual(["s:num1", "s:num-short", "s:num-op"]);
    expect(marks("How many ways to pick 3 of 10? That is 10 choose 3, right?")).toEqual(["s:num3+", "s:num-short", "s:num-op"]);
    expect(marks("square root of 144")).toEqual(["s:num1", "s:num-short", "s:num-op"]);
  });

  it("does not count digits inside identifiers, nor read a comparison as a factorial", () => {
    expect(marks("utf8 decoding fails on x86_64 with python3")).toEqual([]);
    expect(marks("What is a mutex?")).toEqual([]);
    expect(marks("if (a != b) return 7!=8")).not.toContain("s:num-op");
  });

  it("a long request with numbers is not marked short", () => {
    const long = `Our service returns 503 after ${"a long explanation of the setup ".repeat(5)}`;
    expect(long.length).toBeGreaterThan(120);
    expect(marks(long)).toEqual(["s:num1"]);
  });
});

describe("textFeatures: words in the scripts read, error names by their case", () => {
  const words = (text: string) => textFeatures(text).filter((f) => f.startsWith("w:") && !f.startsWith("w:^"));

  it("reads a word with accents as one word, however the accent was typed", () => {
    expect(words("¿Por qué falla mi función?")).toEqual(["w:por", "w:qué", "w:falla", "w:mi", "w:función"]);
    expect(words("Größenänderung schlägt fehl")).toEqual(["w:größenänderung", "w:schlägt", "w:fehl"]);
    // e + a combining acute accent is é
    expect(words("cafe\u0301")).toEqual(["w:café"]);
    expect(textFeatures("función")).toContain("c:ión");
  });

  it("reads Cyrillic, Greek, Arabic, Korean and Vietnamese words as words, each word in one script", () => {
    expect(words("Как отсортировать список")).toEqual(["w:как", "w:отсортировать", "w:список"]);
    expect(textFeatures("ошибка")).toContain("c:шиб");
    expect(words("React에서 API를 호출하면")).toEqual(["w:react", "w:에서", "w:api", "w:를", "w:호출하면"]);
    expect(words("API-ключ")).toEqual(["w:api-", "w:ключ"]);
    expect(words("لماذا يتعطل البرنامج؟")).toEqual(["w:لماذا", "w:يتعطل", "w:البرنامج"]);
    expect(words("Tại sao code bị lỗi")).toEqual(["w:tại", "w:sao", "w:code", "w:bị", "w:lỗi"]);
  });

  it("reads Chinese and Japanese, which put no spaces between words, as overlapping pairs of characters and the characters alone", () => {
    expect(words("如何排序")).toEqual(["w:如何", "w:如", "w:何", "w:何排", "w:排", "w:排序", "w:序"]);
    expect(textFeatures("如何排序")).toContain("b:如何 何排");
    expect(textFeatures("如何排序")).toContain("w:^如何");
    expect(words("用Python写")).toEqual(["w:用", "w:python", "w:写"]);
    expect(words("まだエラー")).toEqual(["w:まだ", "w:ま", "w:だ", "w:だエ", "w:エ", "w:エラ", "w:ラ", "w:ラー", "w:ー"]);
    // Hebrew is not read at all.
    expect(words("למה זה קורס")).toEqual([]);
  });

  it("measures length in Latin letters' worth: a Chinese, Japanese or Korean character counts three", () => {
    const length = (text: string) => textFeatures(text).filter((f) => f.startsWith("s:len"));
    // 21 characters, as much said as the 58 of "why does my C program segfault when I free a pointer twice?"
    expect(length("为什么我的C程序在释放指针两次时会段错误？")).toEqual(["s:len<120"]);
    expect(length("why does my C program segfault when I free a pointer twice?")).toEqual(["s:len<120"]);
    expect(length("이 함수가 왜 느린지 알려주세요")).toEqual(["s:len<120"]);
    expect(length("Почему падает сервер")).toEqual(["s:len<40"]);
  });

  it("marks exception names and error codes, not words that merely begin or end like them", () => {
    const err = (text: string) => textFeatures(text).includes("s:errtoken");
    expect(err("TypeError: x is undefined")).toBe(true);
    expect(err("npm ERR! code ERESOLVE")).toBe(true);
    expect(err("error: linker failed")).toBe(true);
    expect(err("Explain closures")).toBe(false);
    expect(err("Every terror film I watch")).toBe(false);
  });
});
