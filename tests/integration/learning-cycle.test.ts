import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOrchestrator, identityOf, ask } from "../support/orchestrator";
import { OPERATOR, USER_A } from "../support/db";
import { learnFromFeedback } from "../../lib/learning/feedback";
import { runAnalysis } from "../../lib/learning/director";
import { approveAdaptation, rejectAdaptation, rollbackTo } from "../../lib/learning/engine";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";
import type { OllamaPool } from "../../lib/ollama";
import type { ChatRequest } from "../../lib/ollama/types";

/**
 * Seed scenario 2, end to end through the real orchestrator, the Ollama simulator and the
 * database: feedback → analysis → proposal → operator approval → new production prompt →
 * rollback. Also: rejected proposals are not proposed again without new evidence.
 */
let env: Awaited<ReturnType<typeof startOrchestrator>>;
const alice = identityOf(USER_A);
const operator = identityOf(OPERATOR, true);
const deepseek = DEFAULT_ROLE_MODELS.lead_developer;
const sent: ChatRequest[] = [];
const INSTRUCTION = /provide detailed comments and explanations/i;

beforeAll(async () => {
  env = await startOrchestrator();
  // Record what reaches Ollama (the system prompt of each generation).
  const pool = (globalThis as unknown as { __eliteOllamaPool: OllamaPool }).__eliteOllamaPool;
  const original = pool.chatStream.bind(pool);
  pool.chatStream = (req: ChatRequest) => {
    sent.push(req);
    return original(req);
  };
});
afterAll(() => env.close());

const CODE_PROMPTS = [
  "Write a Python function that reverses a linked list.",
  "Write a Python function that merges two sorted lists.",
  "Write a JavaScript function that deep clones an object.",
  "Write a Python function that checks whether a string is a palindrome.",
  "Write a TypeScript function that groups an array of objects by a key.",
];

/** The system prompt of the last generation request sent to a model. */
function lastSystemPromptTo(model: string): string {
  const req = [...sent].reverse().find((r) => r.model === model && !r.format);
  return req?.messages.find((m) => m.role === "system")?.content ?? "";
}

async function interaction(id: string) {
  const { rows } = await env.db.query<{ config_version_id: string; task_type: string; routing_decision: { configVersion: number } }>(
    "select config_version_id, task_type, routing_decision from interactions where id = $1",
    [id],
  );
  return rows[0];
}

async function versionId(version: number) {
  const { rows } = await env.db.query<{ id: string }>("select id from config_versions where version = $1", [version]);
  return rows[0].id;
}

describe("seed scenario 2: feedback asking for comments becomes DeepSeek's new code prompt, and a rollback restores the old one", () => {
  let proposalId = "";
  const original = { prompt: "", version: 0 };

  it("DeepSeek answers code requests; users repeatedly ask for comments", async () => {
    for (const prompt of CODE_PROMPTS.slice(0, 4)) {
      const r = await ask(alice, { prompt, model: deepseek });
      expect(r.end?.type).toBe("done");
      expect((await interaction(r.interactionId)).task_type).toBe("code_generation");
      await learnFromFeedback(alice, { interactionId: r.interactionId, thumbs: "down", tags: ["needs comments"] });
    }
    original.prompt = lastSystemPromptTo(deepseek);
    expect(original.prompt).not.toMatch(INSTRUCTION);
    original.version = (await interaction((await ask(alice, { prompt: CODE_PROMPTS[4], model: deepseek })).interactionId)).routing_decision.configVersion;
  });

  it("the Learning Director proposes adding the instruction to DeepSeek's code prompt, with evidence", async () => {
    const progress: number[] = [];
    const summary = await runAnalysis({ actorId: OPERATOR, onProgress: (p) => progress.push(p.progress) });
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const theme = summary.themes.find((t) => t.theme === "needs_comments");
    expect(theme).toMatchObject({ taskTypes: ["code_generation"], count: 4, users: 1 });

    const { rows } = await env.db.query<{ id: string; kind: string; status: string; model_name: string; task_type: string; proposed_change: { instruction: string; role: string }; evidence: { count: number; examples: string[]; effectSize: { interval: { lower: number; upper: number } } }; risk: string }>(
      "select id, kind, status, model_name, task_type, proposed_change, evidence, risk from adaptations where kind = 'system_prompt'",
    );
    expect(rows).toHaveLength(1);
    const p = rows[0];
    expect(p).toMatchObject({ status: "proposed", model_name: deepseek, task_type: "code_generation", risk: "medium" });
    expect(p.proposed_change.instruction).toMatch(INSTRUCTION);
    expect(p.proposed_change.role).toBe("lead_developer");
    expect(p.evidence.count).toBe(4);
    expect(p.evidence.examples).toHaveLength(4);
    expect(p.evidence.effectSize.interval.lower).toBeLessThanOrEqual(p.evidence.effectSize.interval.upper);
    proposalId = p.id;
    // The Adaptation Engine wrote the operator's rationale through a recorded agent call.
    const rationale = await env.db.query<{ r: { summary: string; by: string } | null }>("select evidence -> 'rationale' as r from adaptations where id = $1", [p.id]);
    expect(rationale.rows[0].r?.summary.length).toBeGreaterThan(0);
    const calls = await env.db.query<{ actor: string; details: { model: string; ok: boolean } }>("select actor, details from audit_log where action = 'agent.explain_proposal'");
    expect(calls.rows).toEqual([expect.objectContaining({ actor: "agent:adaptation_engine", details: expect.objectContaining({ model: rationale.rows[0].r!.by, ok: true }) })]);

    const patterns = await env.db.query<{ failure_count: number }>(
      "select failure_count from learning_patterns where pattern_type = 'prompting' and model_name = $1 and pattern_data->>'theme' = 'needs_comments'",
      [deepseek],
    );
    expect(patterns.rows[0].failure_count).toBe(4);
  });

  it("a user who is not an operator cannot approve it", async () => {
    await expect(approveAdaptation({ kind: "operator", identity: alice }, { id: proposalId })).rejects.toThrow(/Only operators/);
    const { rows } = await env.db.query<{ status: string }>("select status from adaptations where id = $1", [proposalId]);
    expect(rows[0].status).toBe("proposed");
  });

  it("the operator approves; later DeepSeek code requests carry the new prompt", async () => {
    const { version } = await approveAdaptation({ kind: "operator", identity: operator }, { id: proposalId, reason: "users keep asking" });
    expect(version).toBeGreaterThan(original.version);
    const r = await ask(alice, { prompt: "Write a Python function that flattens a nested list.", model: deepseek });
    expect(r.end?.type).toBe("done");
    const system = lastSystemPromptTo(deepseek);
    expect(system).toMatch(INSTRUCTION);
    expect(system.startsWith(original.prompt)).toBe(true);
    const saved = await interaction(r.interactionId);
    expect(saved.routing_decision.configVersion).toBe(version);
    expect(saved.config_version_id).toBe(await versionId(version));

    // Other models' prompts and DeepSeek's other task types are untouched.
    await ask(alice, { prompt: "Design a URL shortener.", model: DEFAULT_ROLE_MODELS.architect });
    expect(lastSystemPromptTo(DEFAULT_ROLE_MODELS.architect)).not.toMatch(INSTRUCTION);

    const audit = await env.db.query<{ actor: string; reason: string }>("select actor, reason from audit_log where action = 'adaptation.approve' and target_id = $1", [proposalId]);
    expect(audit.rows).toEqual([{ actor: OPERATOR, reason: "users keep asking" }]);
  });

  it("the next analysis does not propose it again (it is in production)", async () => {
    const summary = await runAnalysis({ actorId: "system" });
    expect(summary.proposals.filter((p) => p.kind === "system_prompt")).toHaveLength(0);
  });

  it("a rollback restores the old prompt as a new version, and history stays", async () => {
    const { version } = await rollbackTo({ kind: "operator", identity: operator }, { versionId: await versionId(original.version), reason: "comments made answers too long" });
    expect(version).toBeGreaterThan(original.version + 1);
    const r = await ask(alice, { prompt: "Write a Python function that counts words in a file.", model: deepseek });
    expect(lastSystemPromptTo(deepseek)).toBe(original.prompt);
    expect((await interaction(r.interactionId)).routing_decision.configVersion).toBe(version);

    const versions = await env.db.query<{ version: number; config: unknown }>("select version, config from config_versions order by version");
    expect(versions.rows).toHaveLength(3);
    expect(versions.rows[0].version).toBe(original.version);
    expect(versions.rows[2].version).toBe(version);
    expect(versions.rows[2].config).toEqual(versions.rows[0].config);
    const status = await env.db.query<{ status: string }>("select status from adaptations where id = $1", [proposalId]);
    expect(status.rows[0].status).toBe("rolled_back");
    const audit = await env.db.query<{ actor: string; details: { to: number } }>("select actor, details from audit_log where action = 'config.rollback'");
    expect(audit.rows).toEqual([expect.objectContaining({ actor: OPERATOR, details: expect.objectContaining({ to: original.version }) })]);
  });
});

describe("similar rejected proposals", () => {
  it("are not proposed again without new evidence, and are with enough of it", async () => {
    const feedback = async (n: number, prompt: string) => {
      for (let i = 0; i < n; i++) {
        const r = await ask(alice, { prompt: `${prompt} (${i})`, model: deepseek });
        await learnFromFeedback(alice, { interactionId: r.interactionId, rating: 2, tags: ["too long"] });
      }
    };
    await feedback(4, "Write a Python function that parses a CSV line.");
    const first = await runAnalysis({ actorId: "system" });
    const proposal = first.proposals.find((p) => p.title.includes("concise"));
    expect(proposal).toBeDefined();
    await rejectAdaptation({ kind: "operator", identity: operator }, { id: proposal!.id, reason: "answers are fine as they are" });

    // As many complaints as make a proposal, but fewer than the rejected one had: not again.
    await feedback(3, "Write a Python function that validates an email address.");
    const second = await runAnalysis({ actorId: "system" });
    expect(second.proposals.find((p) => p.title.includes("concise"))).toBeUndefined();
    expect(second.skipped.find((s) => /rejected before; 3 new supporting interactions, 4 needed/.test(s.why))).toBeDefined();

    await feedback(4, "Write a Python function that converts Celsius to Fahrenheit.");
    const third = await runAnalysis({ actorId: "system" });
    expect(third.proposals.find((p) => p.title.includes("concise"))).toBeDefined();
  });
});
