/**
 * Leaving after a broken answer is an implicit signal (lib/learning/implicit-feedback.ts):
 * the scheduler's tick reads the chat's broken answers that their users left, once each, and
 * the signal becomes part of the answer's one reward (never above what the checks found).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOrchestrator, identityOf, ask } from "../support/orchestrator";
import { USER_A } from "../support/db";
import { learnFromAbandonment } from "../../lib/learning/implicit-feedback";
import { learningState } from "../../lib/learning/store";
import { IMPLICIT_REWARD } from "../../lib/domain/reward";
import { asSystem } from "../../lib/db";
import { buildDashboard } from "../../lib/analytics/dashboard";
import { DEFAULT_FILTERS } from "../../lib/analytics/filters";

let env: Awaited<ReturnType<typeof startOrchestrator>>;
const alice = identityOf(USER_A);
beforeAll(async () => {
  env = await startOrchestrator();
});
afterAll(() => env?.close());

/** As the automatic checks would have found it: an empty answer (reward 0), finished `minutesAgo`. */
async function brokenAndOld(id: string, minutesAgo: number) {
  await env.db.query(
    `update interactions set feedback = jsonb_set(feedback, '{auto,empty}', 'true'), completed_at = now() - $2 * interval '1 minute', created_at = now() - ($2 + 1) * interval '1 minute' where id = $1`,
    [id, minutesAgo],
  );
}
const implicitOf = async (id: string) =>
  (await env.db.query<{ implicit: { signal: string; by: string | null } | null }>("select feedback -> 'implicit' as implicit from interactions where id = $1", [id])).rows[0].implicit;

describe("abandoned answers", () => {
  it("count a broken answer its user left, once; not one they followed up on, a good one, or one still fresh", async () => {
    const left = await ask(alice, { prompt: "Write a Python function that parses an ISO 8601 date." });
    await brokenAndOld(left.interactionId, 90);

    const followed = await ask(alice, { prompt: "Write a Go function that reverses a slice." });
    await brokenAndOld(followed.interactionId, 90);
    await ask(alice, { conversationId: followed.conversationId, prompt: "That came back empty, try again please." });

    const good = await ask(alice, { prompt: "Explain what a mutex is." });
    await env.db.query("update interactions set completed_at = now() - interval '90 minutes' where id = $1", [good.interactionId]);

    const fresh = await ask(alice, { prompt: "Write a Rust function that sums a vector." });
    await brokenAndOld(fresh.interactionId, 5);

    const { rows } = await env.db.query<{ model_used: string; task_type: string }>("select model_used, task_type from interactions where id = $1", [left.interactionId]);
    const { model_used: model, task_type: taskType } = rows[0];
    const before = (await learningState()).policy[taskType as "code_generation"]?.[model];

    expect(await learnFromAbandonment()).toEqual([left.interactionId]);
    expect(await implicitOf(left.interactionId)).toMatchObject({ signal: "abandoned", by: null });
    for (const other of [followed, good, fresh]) expect(await implicitOf(other.interactionId)).toBeNull();
    // The answer counts once: leaving agrees with the checks that found it broken (reward 0),
    // so its model's evidence neither grows nor moves.
    const after = (await learningState()).policy[taskType as "code_generation"]?.[model];
    expect(after?.alpha ?? 0).toBeCloseTo(before?.alpha ?? 0, 9);
    expect(after?.beta ?? 0).toBeCloseTo(before?.beta ?? 0, 9);
    const reward = (await env.db.query<{ r: number }>("select private.interaction_reward(status, success_rating, feedback) as r from interactions where id = $1", [left.interactionId])).rows[0].r;
    expect(IMPLICIT_REWARD.abandoned).toBeGreaterThan(0);
    expect(Number(reward)).toBe(0); // the checks' 0 for an empty answer, not the signal's own reward

    expect(await learnFromAbandonment()).toEqual([]); // read once
    const d = await asSystem((tx) => buildDashboard(tx, { filters: DEFAULT_FILTERS }));
    expect(d.kpis.implicit.abandoned).toBe(1);
  });
});
