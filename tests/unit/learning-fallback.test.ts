import { describe, expect, it } from "vitest";
import { EMPTY_FALLBACK_STATS, orderChain, recordFallbackOutcome, type FallbackStats } from "../../lib/learning/fallback";
import { seededRng } from "../../lib/learning/random";
import { defaultModelChain } from "../../lib/domain";

const chain = defaultModelChain("code_generation"); // deepseek, codellama, wizardcoder, openhermes, mathstral
const [lead, senior, architect] = chain;

describe("orderChain", () => {
  it("follows the static chain without data, excluding the primary", () => {
    expect(orderChain({ taskType: "code_generation", primary: lead, candidates: chain, stats: EMPTY_FALLBACK_STATS, priorsChain: chain })).toEqual(chain.slice(1));
    expect(orderChain({ taskType: "code_generation", primary: senior, candidates: chain, stats: EMPTY_FALLBACK_STATS, priorsChain: chain })).toEqual([lead, ...chain.slice(2)]);
  });

  it("puts the model that rescues most often first", () => {
    const stats: FallbackStats = {
      code_generation: { [senior]: { rescueSuccess: 1, rescueTrials: 10 }, [architect]: { rescueSuccess: 8, rescueTrials: 10 } },
    };
    const order = orderChain({ taskType: "code_generation", primary: lead, candidates: chain, stats, priorsChain: chain });
    expect(order[0]).toBe(architect);
    expect(order.indexOf(senior)).toBeGreaterThan(order.indexOf(architect));
    // Other task types are untouched.
    expect(orderChain({ taskType: "debugging", primary: lead, candidates: chain, stats, priorsChain: chain })[0]).toBe(senior);
  });

  it("does not let one lucky rescue jump the queue, and ranks unknown models last", () => {
    const stats: FallbackStats = { code_generation: { mathstral: { rescueSuccess: 1, rescueTrials: 1 } } };
    const order = orderChain({ taskType: "code_generation", primary: lead, candidates: [...chain, "phi3"], stats, priorsChain: chain });
    expect(order[0]).toBe(senior);
    expect(order.at(-1)).toBe("phi3");
  });
});

describe("recordFallbackOutcome", () => {
  it("counts rescue trials after failures and stops at the first success", () => {
    const s = recordFallbackOutcome(EMPTY_FALLBACK_STATS, {
      taskType: "debugging",
      attempts: [
        { model: lead, ok: false },
        { model: senior, ok: false },
        { model: architect, ok: true },
        { model: "openhermes", ok: true },
      ],
    });
    expect(s.debugging).toEqual({
      [senior]: { rescueSuccess: 0, rescueTrials: 1 },
      [architect]: { rescueSuccess: 1, rescueTrials: 1 },
    });
    expect(EMPTY_FALLBACK_STATS).toEqual({});
  });

  it("records nothing for a primary that succeeded", () => {
    const s = recordFallbackOutcome(EMPTY_FALLBACK_STATS, { taskType: "math", attempts: [{ model: "mathstral", ok: true }] });
    expect(s.math).toEqual({});
  });

  it("learns to reorder the chain from simulated trails (seed scenario 3)", () => {
    const rescue: Record<string, number> = { [senior]: 0.15, [architect]: 0.6, openhermes: 0.3, mathstral: 0.2 };
    const rng = seededRng(3);
    let stats = EMPTY_FALLBACK_STATS;
    for (let i = 0; i < 60; i++) {
      const order = orderChain({ taskType: "code_generation", primary: lead, candidates: chain, stats, priorsChain: chain });
      const attempts = [{ model: lead, ok: false }];
      for (const model of order) {
        const ok = rng() < rescue[model];
        attempts.push({ model, ok });
        if (ok) break;
      }
      stats = recordFallbackOutcome(stats, { taskType: "code_generation", attempts });
    }
    expect(orderChain({ taskType: "code_generation", primary: lead, candidates: chain, stats, priorsChain: chain })[0]).toBe(architect);
  });
});
