import { describe, expect, it } from "vitest";
import {
  EMPTY_PARAMS,
  chooseParams,
  defaultParams,
  paramArmsFor,
  paramsKey,
  paramsReward,
  updateParams,
  type ParamsState,
} from "../../lib/learning/params";
import { seededRng } from "../../lib/learning/random";
import { CHAT_TASK_TYPES } from "../../lib/domain";

describe("parameter arms", () => {
  it("keeps a small set per task type with unique ids and sensible defaults", () => {
    for (const t of CHAT_TASK_TYPES) {
      const arms = paramArmsFor(t);
      expect(arms.length).toBeGreaterThanOrEqual(4);
      expect(arms.length).toBeLessThanOrEqual(6);
      expect(new Set(arms.map((a) => a.id)).size).toBe(arms.length);
    }
    for (const t of ["math", "code_generation", "debugging", "refactoring_optimization"] as const) expect(defaultParams(t).temperature).toBeLessThanOrEqual(0.2);
    expect(defaultParams("general").temperature).toBeGreaterThan(defaultParams("code_generation").temperature);
    // Fill-in-the-middle: one short, precise default (the editor's own options take precedence).
    expect(paramArmsFor("completion")).toHaveLength(1);
    expect(defaultParams("completion").num_predict).toBeLessThanOrEqual(256);
  });

  it("trades quality against latency", () => {
    expect(paramsReward({ quality: 1, normalizedLatency: 0 })).toBe(1);
    expect(paramsReward({ quality: 1, normalizedLatency: 1, latencyPenalty: 0.3 })).toBeCloseTo(0.7);
    expect(paramsReward({ quality: 0.1, normalizedLatency: 5, latencyPenalty: 0.5 })).toBe(0);
  });
});

describe("chooseParams / updateParams", () => {
  it("prefers the default arm before any data", () => {
    const rng = seededRng(1);
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const id = chooseParams({ model: "m", taskType: "code_generation", state: EMPTY_PARAMS, rng, now: 0 }).arm.id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const def = defaultParams("code_generation").id;
    for (const [id, n] of counts) if (id !== def) expect(counts.get(def)!).toBeGreaterThan(n);
  });

  it("learns the arm with the best quality-minus-latency reward, per model and task type", () => {
    const arms = paramArmsFor("debugging");
    const best = arms[2].id; // not the default
    const world = (id: string) => (id === best ? { q: 0.9, lat: 0.3 } : { q: 0.6, lat: 0.5 });
    const rng = seededRng(2);
    const outcomes = seededRng(3);
    let state: ParamsState = EMPTY_PARAMS;
    const picks: string[] = [];
    for (let i = 0; i < 800; i++) {
      const { arm } = chooseParams({ model: "deepseek", taskType: "debugging", state, rng, now: i });
      picks.push(arm.id);
      const w = world(arm.id);
      const quality = outcomes() < w.q ? 1 : 0;
      state = updateParams(state, { model: "deepseek", taskType: "debugging", armId: arm.id, quality, normalizedLatency: w.lat, now: i });
    }
    expect(picks.slice(-300).filter((p) => p === best).length / 300).toBeGreaterThan(0.75);
    expect(Object.keys(state)).toEqual([paramsKey("deepseek", "debugging")]);
    // Another model keeps its priors.
    expect(chooseParams({ model: "codellama", taskType: "debugging", state, rng: seededRng(9), now: 800 }).samples).toBeDefined();
    expect(state[paramsKey("codellama", "debugging")]).toBeUndefined();
  });

  it("rejects an arm that does not belong to the task type", () => {
    expect(() => updateParams(EMPTY_PARAMS, { model: "m", taskType: "math", armId: "t9-p1-c1", quality: 1, normalizedLatency: 0, now: 0 })).toThrow(/unknown parameter arm/);
  });
});
