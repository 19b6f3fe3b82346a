import { describe, expect, it } from "vitest";
import { readShareIn, textParts } from "../../lib/learning/text-features";
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
  it("is measured as the share of a text's letters in the scripts a reader knows", () => {
    const latin = (text: string) => readShareIn(textParts(text).scripts, ["latin"]);
    expect(latin("Why does my Rust build fail with E0502?")).toBe(1);
    expect(latin("")).toBe(1);
    expect(latin("12 * 13 = ? 🙂")).toBe(1); // no letters: nothing unread
    expect(latin("为什么我的C程序在释放指针两次时会段错误？")).toBeCloseTo(1 / 20, 9); // "C" of 20 letters
    expect(latin("用Python写一个快速排序函数")).toBeCloseTo(6 / 16, 9);
    expect(latin("Всё ещё та же ошибка")).toBe(0);
    expect(latin("Explique-moi la différence entre un processus et un thread")).toBeGreaterThan(0.95);
    // A reader of Han and kana as well reads the Chinese and Japanese whole; Hebrew no one here reads.
    const cjk = (text: string) => readShareIn(textParts(text).scripts, ["latin", "han_kana"]);
    expect(cjk("用Python写一个快速排序函数")).toBe(1);
    expect(cjk("まだ同じエラーが出ます")).toBe(1);
    expect(cjk("Всё ещё та же ошибка")).toBe(0);
    expect(readShareIn(textParts("Всё ещё та же ошибка").scripts, ["latin", "cyrillic"])).toBe(1);
    expect(readShareIn(textParts("이 함수가 왜 느린지 알려주세요").scripts, ["latin", "hangul"])).toBe(1);
    expect(readShareIn(textParts("لماذا يتعطل البرنامج؟").scripts, ["latin", "arabic"])).toBe(1);
    expect(readShareIn(textParts("למה התוכנית קורסת?").scripts, ["latin", "cyrillic", "greek", "hangul", "han_kana", "arabic"])).toBe(0);
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

  it("reads the scripts its training corpus was written in: Chinese, Japanese, Korean, Russian and Arabic requests are classified, and surely", () => {
    expect(taskClassifier().model.scripts).toEqual(["latin", "cyrillic", "hangul", "han_kana", "arabic"]);
    for (const [text, taskType] of [
      ["帮我写一个Python函数，把列表去重并保持顺序", "code_generation"],
      ["npm install 报错 ERESOLVE unable to resolve dependency tree，怎么解决", "debugging"],
      ["设计一个每秒处理一万次写入的短链接服务", "architecture"],
      ["このSQLクエリが遅いので速くしたいです", "refactoring_optimization"],
      ["Объясни, что такое замыкание в JavaScript", "explanation"],
      ["Решите уравнение 3x + 7 = 22", "math"],
      ["لماذا يتعطل برنامجي عندما أحرر المؤشر مرتين؟", "debugging"],
      ["Viết hàm Python đảo ngược một chuỗi", "code_generation"],
    ] as const) {
      const c = taskClassifier().classify(text);
      expect(c.taskType, text).toBe(taskType);
      expect(c.confidence, text).toBeGreaterThanOrEqual(SURE);
    }
  });

  it("does not classify a request it cannot read with confidence, so the router model is asked", () => {
    // Greek (read as words, but never learned), Hindi, Hebrew and Thai: scripts none of its training corpora were written in.
    for (const text of ["Γιατί κρασάρει το πρόγραμμά μου όταν ελευθερώνω τον δείκτη δύο φορές;", "सर्वर को लोड में गिरने से कैसे बचाएं", "למה הפונקציה הזאת כל כך איטית", "ช่วยออกแบบระบบย่อลิงก์ที่รองรับการเขียนหมื่นครั้งต่อวินาที"]) {
      expect(taskClassifier().classify(text).confidence, text).toBeLessThan(SURE);
    }
    // What it can read it still reads: the code word and the equation.
    expect(taskClassifier().classify("איך כותבים פונקציית Python שממיינת רשימה").taskType).toBe("code_generation");
    expect(taskClassifier().classify("Berechne das Integral von x^2 von 0 bis 3").confidence).toBeGreaterThan(0.9);
  });

  it("lets the router model's reading decide a request the classifier cannot read, and not one it reads", () => {
    const vote = (text: string, router: "debugging" | "general") =>
      combineVotes(votesFrom(DEFAULT_VOTER_WEIGHTS, { features: taskClassifier().classify(text), router_model: { taskType: router, confidence: 0.9 } })).taskType;
    // With the router model's starting weight (it has earned nothing yet), its word decides only what the classifier could not read.
    expect(vote("मेरा C प्रोग्राम पॉइंटर को दो बार फ्री करने पर क्यों क्रैश होता है?", "debugging")).toBe("debugging");
    expect(vote("Segmentation fault when I free a pointer twice", "general")).toBe("debugging");
  });

  it("reads no verdict into a follow-up it cannot read (\"still the same error\" in Chinese was thanks at 0.69 before its corpus had Chinese)", () => {
    // Thai, Hindi and Hebrew: "still not working, the same error", "thanks, it worked", "still not working".
    for (const text of ["ยังไม่ได้เลย ผิดพลาดเหมือนเดิม", "धन्यवाद, काम कर गया", "עדיין לא עובד"]) {
      const classified = classifyFollowUp(text);
      expect(Math.max(classified.failed, classified.thanks, classified.rephrase), text).toBeLessThan(SURE);
      expect(readFollowUp({ text, classify: classifyFollowUp, toPrevious: null, toExamples: null, examples: 0, scale: null }), text).toBeNull();
    }
    // Nor a comment on an answer: "the code has no comments, I can't follow it" in Thai and Hindi.
    for (const text of ["โค้ดไม่มีคอมเมนต์เลย อ่านไม่เข้าใจ", "कोड में कोई टिप्पणी नहीं है, समझ नहीं आ रहा"]) {
      expect(Math.max(...Object.values(classifyTheme(text))), text).toBeLessThan(SURE);
    }
    // An English one is still read.
    const english = classifyFollowUp("that fixed it, thank you so much");
    expect(english.thanks).toBeGreaterThan(SURE);
  });

  it("reads a verdict into a follow-up in the languages its corpus has, as surely as in English", () => {
    expect(classifyFollowUp("还是不行，同样的错误").failed).toBeGreaterThan(SURE);
    expect(classifyFollowUp("まだ同じエラーが出ます").failed).toBeGreaterThan(SURE);
    expect(classifyFollowUp("Всё ещё та же ошибка").failed).toBeGreaterThan(SURE);
    expect(classifyFollowUp("谢谢，成功了").thanks).toBeGreaterThan(SURE);
    expect(classifyFollowUp("Danke, jetzt läuft es").thanks).toBeGreaterThan(SURE);
    expect(classifyFollowUp("vẫn bị lỗi y như cũ").failed).toBeGreaterThan(SURE);
    expect(classifyFollowUp("ما زال نفس الخطأ").failed).toBeGreaterThan(SURE);
    expect(classifyFollowUp("bhai ab chal gaya, thanks").thanks).toBeGreaterThan(SURE);
    expect(readFollowUp({ text: "还是不行，同样的错误", classify: classifyFollowUp, toPrevious: null, toExamples: null, examples: 0, scale: null })).toBe("failed");
  });

  it("reads the theme of a comment on an answer in those languages too", () => {
    const theme = (text: string) => {
      const p = classifyTheme(text);
      const best = (Object.keys(p) as (keyof typeof p)[]).reduce((a, b) => (p[b] > p[a] ? b : a));
      return p[best] >= SURE ? best : null;
    };
    expect(theme("代码没有注释，看不懂")).toBe("needs_comments");
    expect(theme("Слишком длинный ответ, мне нужен был только фикс")).toBe("too_long");
    expect(theme("テストコードも書いてほしい")).toBe("needs_tests");
    expect(theme("Faltan los tipos, pon type hints en las funciones")).toBe("needs_types");
    expect(theme("Tambahkan unit test dong")).toBe("needs_tests");
    expect(theme("Cevap çok uzun, sadece çözümü yaz")).toBe("too_long");
    expect(theme("الكود بدون تعليقات ولا أفهمه")).toBe("needs_comments");
  });
});
