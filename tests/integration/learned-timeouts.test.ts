import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, identityOf, startOrchestrator } from "../support/orchestrator";
import { USER_A } from "../support/db";
import { DEFAULT_ROLE_MODELS } from "../../lib/domain";
import { FLOOR_MS, MIN_SAMPLES, SAFETY } from "../../lib/learning/latency-budget";
import { resetLatency } from "../../lib/learning/latency-store";

/**
 * A model that stalls is abandoned after the time-out learned from its own latency, not the
 * pool's minute. The pool runs with production's defaults (60 s to the first token); the
 * simulator answers at a hundredth of its profiles' speeds.
 */
let env: Awaited<ReturnType<typeof startOrchestrator>>;
const alice = identityOf(USER_A);
const MODEL = DEFAULT_ROLE_MODELS.senior_developer;

beforeAll(async () => {
  env = await startOrchestrator({ seed: 9, timeScale: 0.01 }, { timeouts: { firstTokenMs: 60_000, totalMs: 300_000 } });
  resetLatency();
});
afterAll(() => env.close());

describe("learned time-outs", () => {
  it("uses the defaults until a model has answered enough, then its own budget; a stall is cut off at that budget", async () => {
    const first = await ask(alice, { prompt: "Refactor this function to remove duplication: def f(a): return a+a", model: MODEL });
    expect(first.end?.type).toBe("done");
    expect(first.start.decision.attempts).toEqual([]);
    const saved = (await env.db.query<{ d: { attempts: { cold?: boolean; budget?: unknown }[] } }>("select routing_decision as d from interactions where id = $1", [first.interactionId])).rows[0].d;
    expect(saved.attempts[0].budget).toBeUndefined(); // nothing learned yet: the defaults
    for (let i = 0; i < MIN_SAMPLES + 1; i++) {
      const r = await ask(alice, { prompt: `Rename the variables in snippet ${i} to something readable: x1 = y2 + z3`, model: MODEL });
      expect(r.end?.type).toBe("done");
    }
    const { rows } = await env.db.query<{ ttft: number; cold: boolean }>(
      `select (a ->> 'ttftMs')::float as ttft, (a ->> 'cold')::boolean as cold from interactions i, jsonb_array_elements(i.routing_decision -> 'attempts') a where a ->> 'model' = $1 and (a ->> 'ok')::boolean`,
      [MODEL],
    );
    const warm = rows.filter((r) => !r.cold);
    expect(warm.length).toBeGreaterThanOrEqual(MIN_SAMPLES);

    env.sim.setFaults([{ model: MODEL, fault: "timeout" }]);
    const stalled = await ask(alice, { prompt: "Simplify this loop: for i in range(len(xs)): print(xs[i])", model: MODEL });
    const attempt = stalled.end?.decision?.attempts[0];
    expect(attempt?.model).toBe(MODEL);
    expect(attempt?.ok).toBe(false);
    expect(attempt?.reason).toBe("timeout");
    // The budget it ran under: learned from its warm answers, far below the pool's minute.
    expect(attempt?.budget?.from).toBeGreaterThanOrEqual(MIN_SAMPLES);
    expect(attempt?.budget?.firstTokenMs).toBeLessThan(60_000);
    const p95 = Math.max(...warm.map((r) => r.ttft));
    expect(attempt?.budget?.firstTokenMs).toBeLessThanOrEqual(Math.max(FLOOR_MS, SAFETY * p95) + 1);
    // Another model answered instead.
    expect(stalled.end?.type).toBe("done");
    expect(stalled.end?.decision?.model).not.toBe(MODEL);
    env.sim.setFaults([]);
  });
});
