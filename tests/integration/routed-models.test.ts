/**
 * Models routed without a role: an operator adds an installed model that plays no role in
 * the roster (Settings → Also routed), and from then on "elite" may choose it, a client may
 * name it, feedback may prefer it and the model lists show it; removed, it is none of these.
 * The simulator serves one model beyond the roster's five (a profile file written here).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ask, identityOf, startOrchestrator } from "../support/orchestrator";
import { OPERATOR, USER_A, userClaims } from "../support/db";
import { withClaims } from "../../lib/db/session";
import { loadProfiles } from "../../sim/models";
import { recordOutcomes } from "../../lib/learning/store";
import { seededRng } from "../../lib/learning/random";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";
import type { Decision } from "../../lib/chat/events";

const operator = identityOf(OPERATOR, true);
const alice = identityOf(USER_A);
let signedIn = operator;
vi.mock("@/lib/auth", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../lib/auth")>()),
  requireOperator: async () => {
    if (!signedIn.isOperator) throw new (await import("../../lib/errors")).AppError("forbidden:auth", "Only operators can change this.");
    return signedIn;
  },
}));
vi.mock("next/cache", () => ({ revalidatePath: () => undefined }));

const { saveRoutedModels } = await import("../../app/settings/actions");
const { planRequest } = await import("../../lib/orchestrator/plan");
const { listedModels } = await import("../../lib/api/run");
const { saveFeedback } = await import("../../lib/learning/feedback-record");
const { invalidateRosterCache } = await import("../../lib/roster/current");

const EXTRA = "qwen2.5-coder:7b";
let env: Awaited<ReturnType<typeof startOrchestrator>>;
let dir: string;

beforeAll(async () => {
  // The committed profiles plus one model no role points at.
  const profiles = loadProfiles(path.resolve(import.meta.dirname, "../../sim/model-profiles.json"));
  const lead = profiles.simulated[DEFAULT_ROLE_MODELS.lead_developer];
  profiles.simulated[EXTRA] = { ...lead, role: "none" };
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "routed-models-"));
  const file = path.join(dir, "profiles.json");
  fs.writeFileSync(file, JSON.stringify(profiles));
  env = await startOrchestrator({ profilesFile: file });
});
afterAll(async () => {
  await env.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const routedTags = async () => (await env.db.query<{ model_tag: string }>("select model_tag from routed_models order by model_tag")).rows.map((r) => r.model_tag);
const formWith = (...models: string[]) => {
  const f = new FormData();
  for (const m of models) f.append("model", m);
  return f;
};

describe("models routed without a role", () => {
  it("a model outside the roster is not routed until an operator adds it", async () => {
    expect(await routedTags()).toEqual([]);
    await expect(ask(alice, { prompt: "Write a Rust function that parses a date.", model: EXTRA })).rejects.toThrow(/not one of the roster's models/);
    expect((await listedModels()).map((m) => m.name)).not.toContain(EXTRA);
    const plan = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt: "Write a Rust function that parses a date.", history: [] });
    expect(plan.chain.map((c) => c.model)).not.toContain(EXTRA);
    expect(Object.keys(plan.means ?? {})).not.toContain(EXTRA);
  });

  it("refuses what cannot be routed without a role, and a user who is not an operator; nothing is saved", async () => {
    expect(await saveRoutedModels({}, formWith(EXTRA, DEFAULT_ROLE_MODELS.math))).toEqual({ error: expect.stringMatching(/already plays the math role/) });
    expect(await saveRoutedModels({}, formWith("nomic-embed-text"))).toEqual({ error: expect.stringMatching(/is the embedding model/) });
    expect((await saveRoutedModels({}, formWith("not a tag!"))).error).toMatch(/Not an Ollama model tag/);
    signedIn = alice;
    try {
      expect((await saveRoutedModels({}, formWith(EXTRA))).error).toMatch(/operators/i);
    } finally {
      signedIn = operator;
    }
    // Row Level Security says the same to a signed-in user writing through PostgREST.
    await expect(withClaims(env.db, userClaims(USER_A), (tx) => tx.query("insert into routed_models (model_tag) values ($1)", [EXTRA]))).rejects.toThrow(/row-level security/);
    expect(await routedTags()).toEqual([]);
  });

  it("once added, a client may name it, feedback may prefer it, the lists show it, and the policy chooses it where it is best", async () => {
    expect(await saveRoutedModels({}, formWith(EXTRA))).toEqual({ ok: `Now routed: ${EXTRA}.` });
    expect(await routedTags()).toEqual([EXTRA]);
    expect(await listedModels()).toContainEqual({ name: EXTRA, role: null });

    // Named: it answers, with no role and the generic system prompt.
    const named = await ask(alice, { prompt: "Write a Rust function that parses an ISO date.", model: EXTRA });
    expect(named.end?.type).toBe("done");
    const row = (await env.db.query<{ model_used: string; routing_decision: Decision }>("select model_used, routing_decision from interactions where id = $1", [named.interactionId])).rows[0];
    expect(row.model_used).toBe(EXTRA);
    expect(row.routing_decision.role).toBeNull();
    await expect(saveFeedback(alice, { interactionId: named.interactionId, betterModel: EXTRA })).resolves.toBeTruthy();

    // Routed: a candidate from a neutral start; where the evidence says it answers code best, it is chosen.
    const prompt = "Write a Python function that merges two sorted lists.";
    const fresh = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt, history: [], rng: seededRng(1) });
    expect(Object.keys(fresh.means ?? {})).toEqual(expect.arrayContaining([EXTRA, ...new Set(Object.values(DEFAULT_ROLE_MODELS))]));
    const outcomes = [];
    for (let i = 0; i < 40; i++) {
      outcomes.push({ taskType: fresh.taskType, model: EXTRA, reward: 1, success: true });
      for (const m of new Set(Object.values(DEFAULT_ROLE_MODELS))) outcomes.push({ taskType: fresh.taskType, model: m, reward: 0, success: false });
    }
    await recordOutcomes(outcomes);
    for (const seed of [1, 2, 3]) {
      const plan = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt, history: [], rng: seededRng(seed) });
      expect(plan.reason).toBe("policy");
      expect(plan.chain[0]).toMatchObject({ model: EXTRA, role: null });
    }
  });

  it("removed, it is routed no more (in this instance at once)", async () => {
    expect(await saveRoutedModels({}, formWith())).toEqual({ ok: `No longer routed: ${EXTRA}.` });
    invalidateRosterCache();
    const plan = await planRequest({ experimentUnit: crypto.randomUUID(), userId: USER_A, prompt: "Write a Python function that merges two sorted lists.", history: [] });
    expect(plan.chain.map((c) => c.model)).not.toContain(EXTRA);
    expect(Object.keys(plan.means ?? {})).not.toContain(EXTRA);
    await expect(ask(alice, { prompt: "Write a Rust function that parses a date.", model: EXTRA })).rejects.toThrow(/not one of the roster's models/);
  });
});
