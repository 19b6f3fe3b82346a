import { describe, expect, it } from "vitest";
import { cosine, simEmbed } from "../../sim";

/**
 * The simulated embedding model behaves like one in kind (paraphrases nearer than unrelated
 * requests, task prefixes accepted, Matryoshka-style prefixes of the vector keep the
 * meaning), without tests depending on its exact numbers.
 */
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("simulated embeddings", () => {
  const base = "My web page loads slowly on phones";
  const paraphrases = ["the site takes ages to open on mobile", "website performance is terrible on a smartphone", "pages are sluggish when I browse from my phone"];
  const unrelated = ["how do I compute the determinant of a matrix", "merge two git branches without conflicts", "what is the capital of Australia"];

  it("puts paraphrases in other words nearer than unrelated requests", () => {
    const e = simEmbed(base);
    const p = paraphrases.map((x) => cosine(e, simEmbed(x)));
    const u = unrelated.map((x) => cosine(e, simEmbed(x)));
    expect(mean(p)).toBeGreaterThan(mean(u));
    expect(Math.min(...p)).toBeGreaterThan(Math.min(...u));
  });

  it("accepts nomic's task prefixes and splits identifiers into words", () => {
    expect(cosine(simEmbed("search_query: sort a list"), simEmbed("sort a list"))).toBeCloseTo(1, 9);
    expect(cosine(simEmbed("clustering: sort a list"), simEmbed("search_document: sort a list"))).toBeCloseTo(1, 9);
    expect(cosine(simEmbed("parseUserName"), simEmbed("parse user name"))).toBeCloseTo(1, 9);
  });

  it("words it has no vector for still resemble their own variants", () => {
    expect(cosine(simEmbed("segfaultz"), simEmbed("segfaultzz"))).toBeGreaterThan(cosine(simEmbed("segfaultz"), simEmbed("kubectlx")));
  });
});
