import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ask, identityOf, startOrchestrator } from "../support/orchestrator";
import { OPERATOR, USER_A, USER_B } from "../support/db";
import { learnFromFeedback } from "../../lib/learning/feedback";
import { runAnalysis } from "../../lib/learning/director";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";

/**
 * Seed scenario 2 in users' own words, through the real orchestrator, analysis, database and
 * simulator: free-text comments (the seed's "more detailed explanations" and other ways of
 * asking for the same) become one proposal with all of them as evidence, whichever model and
 * task type they were about; one-off remarks and praise become none; and a complaint no known theme
 * covers becomes a proposal of its own, named and drafted by the router model.
 */
let env: Awaited<ReturnType<typeof startOrchestrator>>;
const users = [identityOf(USER_A), identityOf(USER_B)];

// Each test on a database of its own: what one proposes is not pending in the other's.
beforeEach(async () => {
  env = await startOrchestrator();
});
afterEach(() => env.close());

const EXPLAIN = [
  "more detailed explanations",
  "more detailed explanations please, I could not follow it",
  "hard to follow without any explanations",
  "add docstrings and explain each step",
  "the code is fine but completely unexplained",
  "please comment the code so I can maintain it",
  // and in words no phrase of the theme matches: the theme classifier's reading
  "walk me through what each block is doing",
  "my teammates won't get this without notes next to the tricky lines",
  "what is that bit-twiddling line doing? say so in the code",
  "a newcomer couldn't maintain this, spell out the reasoning",
];
// Praise is no complaint, however many users give it (written for this test).
const PRAISE = [
  "thanks, this worked perfectly",
  "brilliant, exactly what I was after",
  "great answer, cheers",
  "works now, thank you!",
  "really clear explanation, thanks a lot",
  "perfect, that fixed it",
  "nice one, much appreciated",
  "awesome, thank you so much",
];
const ONE_OFFS = ["wrong version of react, we're on 18 with createRoot", "the MDN link you gave is dead, 404"];
const AWAIT = ["please use async/await instead of .then chains", "use async/await, not .then() chains", "rewrite the .then chains with async/await please"];
// A second complaint no known theme covers (the theme classifier is sure of that for each wording).
const PATHLIB = ["use pathlib instead of os.path", "please use pathlib instead of os.path", "use pathlib, not os.path"];

async function answerAndComment(i: number, prompt: string, comment: string, model?: string, thumbs: "up" | "down" = "down"): Promise<string> {
  const user = users[i % users.length];
  const r = await ask(user, { prompt, ...(model ? { model } : {}) });
  expect(r.end?.type).toBe("done");
  await learnFromFeedback(user, { interactionId: r.interactionId, thumbs, comment });
  return r.interactionId;
}

describe("free-text feedback grouped by meaning", () => {
  it("one proposal per complaint, whatever the wording, model or task type; none for one-offs or praise", async () => {
    const models = [DEFAULT_ROLE_MODELS.lead_developer, DEFAULT_ROLE_MODELS.senior_developer, DEFAULT_ROLE_MODELS.math];
    const explained = [];
    for (const [i, c] of EXPLAIN.entries()) explained.push(await answerAndComment(i, `Write a Python function number ${i} that parses a date string.`, c, models[i % models.length]));
    const oneOffs = [];
    for (const [i, c] of ONE_OFFS.entries()) oneOffs.push(await answerAndComment(i, `How do I render my app, attempt ${i}?`, c));
    const praised = [];
    for (const [i, c] of PRAISE.entries()) praised.push(await answerAndComment(i, `Write a Python function number ${i} that parses a date string.`, c, models[i % models.length], i % 2 ? "up" : "down"));
    const awaited = [];
    for (const [i, c] of AWAIT.entries()) awaited.push(await answerAndComment(i, `Fetch two URLs in JavaScript one after the other, case ${i}.`, c));
    const pathed = [];
    for (const [i, c] of PATHLIB.entries()) pathed.push(await answerAndComment(i, `Write a Python script that copies files, version ${i}.`, c));

    const summary = await runAnalysis({ actorId: OPERATOR });
    const { rows } = await env.db.query<{ id: string; instruction: string; theme: string }>(
      "select id, proposed_change->>'instruction' as instruction, evidence->>'theme' as theme from adaptations where kind = 'system_prompt'",
    );
    const proposals = summary.proposals.filter((p) => p.kind === "system_prompt").map((p) => ({ ...p, instruction: rows.find((r) => r.id === p.id)?.instruction ?? "", theme: rows.find((r) => r.id === p.id)?.theme ?? "" }));
    const covering = (ids: string[]) => proposals.filter((p) => ids.some((id) => p.supportedBy.includes(id)));

    // The explanations complaint: exactly one proposal, the known theme's instruction, every wording as evidence.
    const explain = covering(explained);
    expect(explain).toHaveLength(1);
    expect(explain[0].instruction).toMatch(/comments and explanations/i);
    expect(explained.every((id) => explain[0].supportedBy.includes(id))).toBe(true);

    // One-off remarks are nobody's theme; praise is no complaint, however often it comes.
    expect(covering(oneOffs)).toHaveLength(0);
    expect(covering(praised)).toHaveLength(0);

    // A complaint outside the known themes: a proposal of its own, drafted by the router model.
    const awaitProposals = covering(awaited);
    expect(awaitProposals).toHaveLength(1);
    expect(awaitProposals[0]).not.toBe(explain[0]);
    expect(awaited.every((id) => awaitProposals[0].supportedBy.includes(id))).toBe(true);
    expect(awaitProposals[0].instruction).not.toMatch(/comments and explanations/i);
    // A second complaint outside the known themes is a proposal of its own, never merged with
    // the first, whatever the router model drafts for each.
    const pathProposals = covering(pathed);
    expect(pathProposals).toHaveLength(1);
    expect(pathProposals[0].id).not.toBe(awaitProposals[0].id);
    expect(awaited.some((id) => pathProposals[0].supportedBy.includes(id))).toBe(false);
    expect(pathProposals[0].instruction).not.toBe(awaitProposals[0].instruction);
    expect([awaitProposals[0].theme, pathProposals[0].theme].every((t) => t.startsWith("meaning:"))).toBe(true);
    const calls = await env.db.query<{ n: number }>("select count(*)::int as n from audit_log where action = 'agent.name_theme'");
    expect(calls.rows[0].n).toBeGreaterThanOrEqual(1);
  });

  it("reads the same complaint in the users' own languages: one proposal, the known theme's instruction, every comment its evidence", async () => {
    // "Comment the code and explain it", in Chinese, Japanese, Korean, Russian, Spanish and German (written for this test).
    const comments = [
      "代码里一行注释都没有，完全看不懂",
      "コードにコメントを付けて、各ステップを説明してください",
      "주석이 하나도 없어서 무슨 코드인지 모르겠어요",
      "Добавь комментарии в код, без них непонятно, что происходит",
      "Por favor, comenta el código y explica cada paso",
      "Bitte den Code kommentieren, so versteht das keiner",
    ];
    const ids: string[] = [];
    for (const [i, c] of comments.entries()) ids.push(await answerAndComment(i, `Write a Go function number ${i} that merges two sorted slices.`, c, DEFAULT_ROLE_MODELS.senior_developer));
    const summary = await runAnalysis({ actorId: OPERATOR });
    const { rows } = await env.db.query<{ id: string; instruction: string }>("select id, proposed_change->>'instruction' as instruction from adaptations where kind = 'system_prompt'");
    const covering = summary.proposals.filter((p) => p.kind === "system_prompt" && ids.some((id) => p.supportedBy.includes(id)));
    expect(covering).toHaveLength(1);
    expect(rows.find((r) => r.id === covering[0].id)?.instruction).toMatch(/comments and explanations/i);
    expect(ids.every((id) => covering[0].supportedBy.includes(id))).toBe(true);
  });
});
