import { describe, expect, it } from "vitest";
import { checkUpload, extractText, htmlToText, MAX_UPLOAD_BYTES } from "../../lib/knowledge/parse";
import { chunkText, sectionsOf } from "../../lib/knowledge/chunk";
import { reciprocalRankFusion } from "../../lib/knowledge/rrf";
import { toTsQuery } from "../../lib/knowledge/search";
import { fitKnowledge, knowledgeBudget } from "../../lib/knowledge/grounding";
import { makePdf } from "../support/make-pdf";

const enc = (s: string) => new TextEncoder().encode(s);

describe("checkUpload", () => {
  it("accepts the supported kinds by extension and content", () => {
    expect(checkUpload({ name: "a.md", bytes: enc("# hi") })).toMatchObject({ ok: true, kind: "markdown" });
    expect(checkUpload({ name: "a.py", bytes: enc("print(1)") })).toMatchObject({ ok: true, kind: "code", language: "py" });
    expect(checkUpload({ name: "a.html", bytes: enc("<p>x</p>") })).toMatchObject({ ok: true, kind: "html" });
    expect(checkUpload({ name: "a.json", bytes: enc("{}") })).toMatchObject({ ok: true, kind: "json" });
    expect(checkUpload({ name: "a.csv", bytes: enc("a,b\n1,2") })).toMatchObject({ ok: true, kind: "csv" });
    expect(checkUpload({ name: "notes", bytes: enc("plain") })).toMatchObject({ ok: true, kind: "text" });
    expect(checkUpload({ name: "doc.pdf", bytes: makePdf([["x"]]) })).toMatchObject({ ok: true, kind: "pdf" });
  });

  it("refuses empty, oversized, archive, binary, invalid UTF-8 and fake PDF files with a reason", () => {
    expect(checkUpload({ name: "e.txt", bytes: new Uint8Array() })).toEqual({ ok: false, reason: "The file is empty." });
    expect(checkUpload({ name: "big.txt", bytes: new Uint8Array(MAX_UPLOAD_BYTES + 1).fill(97) })).toMatchObject({ ok: false, reason: expect.stringMatching(/limit is 10 MB/) });
    expect(checkUpload({ name: "x.bin", bytes: new Uint8Array([0x1f, 0x8b, 8, 0]) })).toMatchObject({ ok: false, reason: expect.stringMatching(/gzip archive/) });
    expect(checkUpload({ name: "x.tar.gz", bytes: enc("not really") })).toMatchObject({ ok: false, reason: expect.stringMatching(/archive/) });
    expect(checkUpload({ name: "x.dat", bytes: new Uint8Array([65, 0, 66]) })).toMatchObject({ ok: false, reason: expect.stringMatching(/binary/) });
    expect(checkUpload({ name: "x.txt", bytes: new Uint8Array([0xc3, 0x28]) })).toMatchObject({ ok: false, reason: expect.stringMatching(/UTF-8/) });
    expect(checkUpload({ name: "x.pdf", bytes: enc("hello") })).toMatchObject({ ok: false, reason: expect.stringMatching(/not a PDF/) });
  });
});

describe("extractText", () => {
  it("strips scripts, styles and tags from HTML and keeps headings and code", () => {
    const t = htmlToText(`<html><head><title>T</title><script>alert(1)</script></head><body>
      <h2>Setup</h2><p onclick="evil()">Run <b>npm</b> &amp; wait &lt;3</p><style>p{}</style>
      <pre><code>npm ci</code></pre><img src=x onerror=alert(2)><!-- secret --></body></html>`);
    expect(t).toContain("## Setup");
    expect(t).toContain("Run npm & wait ‹3");
    expect(t).toContain("```\nnpm ci\n```");
    expect(t).not.toMatch(/alert|onclick|secret|<|>/);
  });

  it("decodes every named entity, not just a few", () => {
    expect(htmlToText("<p>caf&eacute; &rarr; na&iuml;ve &euro;5 &frac12;</p>")).toBe("café → naïve €5 ½");
  });

  it("decoded entities cannot smuggle markup back in", () => {
    expect(htmlToText("&lt;script&gt;alert(1)&lt;/script&gt;")).toBe("‹script›alert(1)‹/script›");
  });

  it("reads the text of a PDF, page by page", async () => {
    const text = await extractText({ kind: "pdf", bytes: makePdf([["Hello PDF (one)"], ["Second page"]]), filename: "a.pdf" });
    expect(text).toBe("Hello PDF (one)\n\nSecond page");
  });

  it("fences code with its language and pretty-prints JSON", async () => {
    expect(await extractText({ kind: "code", bytes: enc("x = 1\n"), language: "py", filename: "a.py" })).toBe("```py\nx = 1\n```");
    expect(await extractText({ kind: "json", bytes: enc('{"a":[1]}'), filename: "a.json" })).toBe('{\n  "a": [\n    1\n  ]\n}');
  });

  it("refuses a PDF with no text and a file with only control characters", async () => {
    await expect(extractText({ kind: "pdf", bytes: makePdf([[]]), filename: "s.pdf" })).rejects.toThrow(/no extractable text/);
    await expect(extractText({ kind: "text", bytes: enc("\u0001\u0002  \n"), filename: "c.txt" })).rejects.toThrow(/no text/);
  });
});

describe("chunkText", () => {
  it("starts a new chunk at each heading and records the heading path as the topic", () => {
    const chunks = chunkText("# Guide\n\nIntro.\n\n## Install\n\nRun it.\n\n### Linux\n\napt.\n\n## Use\n\nCall it.", "g.md");
    expect(chunks.map((c) => c.topic)).toEqual(["g.md › Guide", "g.md › Guide › Install", "g.md › Guide › Install › Linux", "g.md › Guide › Use"]);
    expect(chunks.map((c) => c.content)).toEqual(["Intro.", "Run it.", "apt.", "Call it."]);
  });

  it("keeps a fenced code block whole even when it is larger than a chunk, and does not split on # inside it", () => {
    const code = "```python\n" + Array.from({ length: 40 }, (_, i) => `# comment ${i}\nx${i} = ${i}`).join("\n") + "\n```";
    const chunks = chunkText(`# Code\n\nBefore.\n\n${code}\n\nAfter.`, "c.md", { maxChars: 200 });
    const withCode = chunks.filter((c) => c.content.includes("```python"));
    expect(withCode).toHaveLength(1);
    expect(withCode[0].content).toContain(code);
    expect(chunks.every((c) => c.topic === "c.md › Code")).toBe(true);
  });

  it("overlaps consecutive prose chunks of one section", () => {
    const paras = Array.from({ length: 6 }, (_, i) => `Paragraph ${i} ` + "word ".repeat(30)).join("\n\n");
    const chunks = chunkText(paras, "p.txt", { maxChars: 400, overlapChars: 60 });
    expect(chunks.length).toBeGreaterThan(1);
    for (let i = 1; i < chunks.length; i++) {
      expect(chunks[i].content.startsWith("… ")).toBe(true);
      const tail = chunks[i].content.split("\n\n")[0].slice(2);
      expect(chunks[i - 1].content.endsWith(tail)).toBe(true);
    }
    expect(chunks.every((c) => c.content.length <= 400 + 80)).toBe(true);
  });

  it("splits an over-long paragraph at sentence ends", () => {
    const long = Array.from({ length: 50 }, (_, i) => `Sentence number ${i} is here.`).join(" ");
    const chunks = chunkText(long, "l.txt", { maxChars: 300, overlapChars: 0 });
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => /\.$/.test(c.content))).toBe(true);
  });

  it("closes an unterminated fence at the end of the text", () => {
    const s = sectionsOf("```js\nlet a = 1;\n");
    expect(s[0].blocks).toEqual([{ text: "```js\nlet a = 1;\n\n```", code: true }]);
  });
});

describe("reciprocal rank fusion", () => {
  it("puts an item ranked well in both lists above items ranked first in only one", () => {
    const fused = reciprocalRankFusion([["a", "b", "c"], ["d", "b", "e"]]);
    expect(fused.map((f) => f.id)).toEqual(["b", "a", "d", "c", "e"]);
    expect(fused[0].ranks).toEqual([2, 2]);
    expect(fused[0].rrf).toBeCloseTo(2 / 62, 10);
    expect(fused.find((f) => f.id === "c")!.ranks).toEqual([3, null]);
  });

  it("scales to 1 for first in every list and counts a duplicate once per list", () => {
    const fused = reciprocalRankFusion([["x", "x", "y"], ["x"]]);
    expect(fused[0]).toMatchObject({ id: "x", score: 1, ranks: [1, 1] });
    expect(fused[1]).toMatchObject({ id: "y", ranks: [3, null] });
  });

  it("handles empty lists", () => {
    expect(reciprocalRankFusion([[], []])).toEqual([]);
    expect(reciprocalRankFusion([["a"], []])[0].score).toBe(1);
  });
});

describe("search and grounding helpers", () => {
  it("builds an OR tsquery from words only (no operators from the user)", () => {
    expect(toTsQuery("Raft's leader & election | !drop")).toBe("raft | leader | election | drop");
    expect(toTsQuery("a ! &")).toBe("");
  });

  it("budgets knowledge by what the window leaves, capped at a share of it", () => {
    expect(knowledgeBudget({ contextLength: 8192, promptTokens: 100, answerTokens: 1024 })).toBe(Math.floor(8192 * 0.35));
    expect(knowledgeBudget({ contextLength: 2048, promptTokens: 1500, answerTokens: 400 })).toBe(84);
    expect(knowledgeBudget({ contextLength: 2048, promptTokens: 2000, answerTokens: 400 })).toBe(0);
  });

  it("numbers the chunks it fits and stops at the chunk limit", () => {
    const chunks = Array.from({ length: 8 }, (_, i) => ({ id: `c${i}`, topic: `T${i}`, content: "fact", score: 1 - i / 10 }));
    const g = fitKnowledge(chunks, 10_000, 3);
    expect(g.used.map((u) => u.id)).toEqual(["c0", "c1", "c2"]);
    expect(g.text).toMatch(/\[1\] T0\nfact\n\n\[2\] T1\nfact\n\n\[3\] T2\nfact$/);
  });
});
