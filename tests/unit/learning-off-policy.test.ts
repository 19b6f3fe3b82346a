import { describe, expect, it } from "vitest";
import betaCdf from "@stdlib/stats-base-dists-beta-cdf";
import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";
import { choiceProbability, type DrawnArm } from "../../lib/learning/propensity";
import { offPolicyGain, offPolicyValue, onPolicyValue, type LoggedChoice } from "../../lib/learning/off-policy";
import { choosePolicy, updatePolicy, EMPTY_POLICY, type PolicyCandidate, type PolicyState } from "../../lib/learning/policy";
import { seededRng } from "../../lib/learning/random";

const candidate = (model: string, loaded = true): PolicyCandidate => ({ model, role: null, loaded, available: true });

/** A state where four models without roles have shown different records on debugging. */
function state(): PolicyState {
  let s: PolicyState = EMPTY_POLICY;
  const record: [string, number, number][] = [["a", 14, 6], ["b", 11, 9], ["c", 3, 2], ["d", 2, 8]];
  let now = 0;
  for (const [model, good, bad] of record) {
    for (let i = 0; i < good; i++) s = updatePolicy(s, { taskType: "debugging", model, reward: 1, now: now++ });
    for (let i = 0; i < bad; i++) s = updatePolicy(s, { taskType: "debugging", model, reward: 0, now: now++ });
  }
  return s;
}

describe("the chance of the policy's choice", () => {
  it("is how often the policy's own draws choose each model, cold-load cost and exploration bound included", () => {
    const candidates = [candidate("a"), candidate("b"), candidate("c", false), candidate("d")];
    const s = state();
    const rng = seededRng(11);
    const counts = new Map<string, number>();
    let arms = choosePolicy({ taskType: "debugging", candidates, state: s, rng, now: 100 })!.arms;
    const N = 20_000;
    for (let i = 0; i < N; i++) {
      const c = choosePolicy({ taskType: "debugging", candidates, state: s, rng, now: 100 })!;
      arms = c.arms;
      counts.set(c.model, (counts.get(c.model) ?? 0) + 1);
    }
    // The poor model is outside the exploration bound: never drawn, chance 0.
    expect(arms.map((a) => a.model)).not.toContain("d");
    expect(counts.get("d") ?? 0).toBe(0);
    expect(choiceProbability(arms, "d")).toBe(0);
    // The unloaded model carries its cost into the draw.
    expect(arms.find((a) => a.model === "c")!.cost).toBeGreaterThan(0);
    let total = 0;
    for (const a of arms) {
      const p = choiceProbability(arms, a.model);
      total += p;
      expect(Math.abs(p - (counts.get(a.model) ?? 0) / N), a.model).toBeLessThan(0.015);
    }
    expect(total).toBeCloseTo(1, 2);
  });

  it("agrees with a fine numerical integration, whether the chosen model's density is bounded (quadrature) or not (quantiles)", () => {
    // The reference: the mean over 20,000 evenly spaced quantiles of the chosen model's draw.
    const reference = (arms: DrawnArm[], model: string) => {
      const m = arms.find((a) => a.model === model)!;
      let sum = 0;
      for (let j = 0; j < 20_000; j++) {
        const x = betaQuantile((j + 0.5) / 20_000, m.alpha, m.beta) - m.cost;
        sum += arms.filter((a) => a !== m).reduce((p, c) => p * betaCdf(x + c.cost, c.alpha, c.beta), 1);
      }
      return sum / 20_000;
    };
    const sets: DrawnArm[][] = [
      [{ model: "a", alpha: 40, beta: 20, cost: 0 }, { model: "b", alpha: 12, beta: 9, cost: 0.05 }, { model: "c", alpha: 3, beta: 4, cost: 0.05 }],
      [{ model: "a", alpha: 400, beta: 300, cost: 0 }, { model: "b", alpha: 390, beta: 310, cost: 0 }],
      [{ model: "a", alpha: 1, beta: 1, cost: 0 }, { model: "b", alpha: 2, beta: 1.5, cost: 0.05 }],
      [{ model: "a", alpha: 0.6, beta: 1.4, cost: 0.05 }, { model: "b", alpha: 5, beta: 5, cost: 0 }, { model: "c", alpha: 1.3, beta: 0.7, cost: 0 }],
    ];
    for (const arms of sets) {
      let total = 0;
      for (const a of arms) {
        const p = choiceProbability(arms, a.model);
        total += p;
        expect(Math.abs(p - reference(arms, a.model)), `${a.model} of ${JSON.stringify(arms)}`).toBeLessThan(2e-3);
      }
      expect(total).toBeCloseTo(1, 2);
    }
  });

  it("is 1 for the only model drawn among", () => {
    expect(choiceProbability([{ model: "a", alpha: 2, beta: 3, cost: 0 }], "a")).toBe(1);
  });
});

/** A log of `n` requests routed at random (a with chance pA, else b), each answer good with its model's rate. */
function log(n: number, pA: number, rates: Record<string, number>, seed: number, table: (i: number) => string | null = () => "b"): LoggedChoice[] {
  const rng = seededRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const model = rng() < pA ? "a" : "b";
    return { model, propensity: model === "a" ? pA : 1 - pA, eligible: ["a", "b"], reward: rng() < rates[model] ? 1 : 0, table: table(i) };
  });
}

describe("judging a fixed policy on the learned policy's log", () => {
  it("recovers the success rate of a model the log seldom chose, with an interval that holds it", () => {
    const rows = log(4000, 0.9, { a: 0.5, b: 0.8 }, 5);
    const b = offPolicyValue(rows, () => "b");
    expect(b.value!).toBeGreaterThan(0.74);
    expect(b.value!).toBeLessThan(0.86);
    expect(b.low!).toBeLessThanOrEqual(0.8);
    expect(b.high!).toBeGreaterThanOrEqual(0.8);
    expect(b.support).toBe(1);
    expect(b.matched).toBe(rows.filter((r) => r.model === "b").length);
    // The log's own mean is mostly a's: far from b's.
    expect(onPolicyValue(rows).value!).toBeLessThan(0.6);
  });

  it("its interval holds the truth about 95 times in 100", () => {
    let held = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const v = offPolicyValue(log(300, 0.85, { a: 0.6, b: 0.7 }, seed), () => "b");
      if (v.low! <= 0.7 && 0.7 <= v.high!) held++;
    }
    expect(held).toBeGreaterThanOrEqual(180);
    expect(held).toBeLessThanOrEqual(198);
  });

  it("leaves out requests where its choice could not be drawn, and says so", () => {
    const rows = log(1000, 0.5, { a: 0.5, b: 0.8 }, 9).map((r, i) => (i % 4 === 0 ? { ...r, eligible: ["a"], model: "a", propensity: 1 } : r));
    const b = offPolicyValue(rows, () => "b");
    expect(b.support).toBeCloseTo(0.75, 5);
    expect(Math.abs(b.value! - 0.8)).toBeLessThan(0.06);
    expect(offPolicyValue(rows, () => "c")).toMatchObject({ value: null, support: 0, matched: 0 });
    expect(offPolicyValue([], () => "b").value).toBeNull();
  });

  it("follows the role table request by request", () => {
    // The table sends even requests to a and odd ones to b; a is good at 0.3, b at 0.9.
    const v = offPolicyValue(log(6000, 0.5, { a: 0.3, b: 0.9 }, 13, (i) => (i % 2 ? "b" : "a")), (r) => r.table);
    expect(Math.abs(v.value! - 0.6)).toBeLessThan(0.04);
  });
});

describe("a fixed policy against the learned one, paired", () => {
  it("finds a model the log seldom chose better than what was routed, with an interval above zero", () => {
    const rows = log(2000, 0.8, { a: 0.5, b: 0.8 }, 21);
    const g = offPolicyGain(rows, () => "b")!;
    const learned = rows.reduce((s, r) => s + r.reward, 0) / rows.length;
    expect(g.learned).toBeCloseTo(learned, 9);
    expect(Math.abs(g.gain - (0.8 - (0.8 * 0.5 + 0.2 * 0.8)))).toBeLessThan(0.05);
    expect(g.low).toBeGreaterThan(0);
    // The paired interval is narrower than the fixed policy's own.
    expect(g.high - g.low).toBeLessThan(g.fixed.high! - g.fixed.low!);
    expect(offPolicyGain(rows, () => "c")).toBeNull();
  });

  it("holds zero about 95 times in 100 when the model is no better", () => {
    let held = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const g = offPolicyGain(log(400, 0.7, { a: 0.6, b: 0.6 }, 1000 + seed), () => "b")!;
      if (g.low <= 0 && 0 <= g.high) held++;
    }
    expect(held).toBeGreaterThanOrEqual(180);
    expect(held).toBeLessThanOrEqual(199);
  });
});
