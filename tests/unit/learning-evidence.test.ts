import { describe, expect, it } from "vitest";
import { addEvidence, drifted, RECENT_MIN, type ArmEvidence } from "../../lib/learning/evidence";
import { seededRng } from "../../lib/learning/random";

const feed = (rates: readonly number[], perRate: number, seed: number, discount = 0.999) => {
  const rng = seededRng(seed);
  let e: ArmEvidence | undefined;
  const restarts: number[] = [];
  rates.forEach((p, k) => {
    for (let i = 0; i < perRate; i++) {
      const before = e;
      e = addEvidence(e, rng() < p ? 1 : 0, discount, k * perRate + i);
      if (before && e.alpha + e.beta < before.alpha + before.beta) restarts.push(k * perRate + i);
    }
  });
  return { e: e!, restarts };
};

describe("evidence with change detection", () => {
  it("keeps a long memory while nothing changes: no restart in 2,000 steady outcomes, for any of 10 seeds", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { e, restarts } = feed([0.6], 2000, seed);
      expect(restarts, `seed ${seed}`).toEqual([]);
      expect(e.alpha + e.beta).toBeGreaterThan(800); // ~ 1 / (1 − 0.999) · (1 − 0.999^2000)
    }
  });

  it("restarts from the recent outcomes once a model gets clearly worse, within tens to a couple of hundred outcomes", () => {
    const found: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const { e, restarts } = feed([0.8, 0.3], 600, seed);
      expect(restarts.length, `seed ${seed}`).toBeGreaterThan(0);
      const after = restarts[0] - 600;
      expect(after).toBeGreaterThanOrEqual(0);
      found.push(after);
      expect(e.alpha / (e.alpha + e.beta)).toBeLessThan(0.45); // the posterior now follows the new rate
    }
    found.sort((a, b) => a - b);
    expect(found[Math.floor(found.length / 2)]).toBeLessThan(120);
  });

  it("needs enough recent outcomes and a difference beyond chance", () => {
    expect(drifted({ alpha: 800, beta: 200 }, { alpha: 0, beta: RECENT_MIN - 1 })).toBe(false);
    expect(drifted({ alpha: 800, beta: 200 }, { alpha: 2, beta: 28 })).toBe(true);
    expect(drifted({ alpha: 800, beta: 200 }, { alpha: 22, beta: 8 })).toBe(false);
  });

  it("reads evidence written before change detection (no recent memory) as starting one", () => {
    const old = { alpha: 30, beta: 10, updatedAt: 5 };
    const e = addEvidence(old, 1, 0.999, 6);
    expect(e.recent).toEqual({ alpha: 1, beta: 0 });
    expect(e.alpha).toBeCloseTo(30 * 0.999 + 1, 12);
    expect(e.updatedAt).toBe(6);
  });
});
