import { describe, expect, it } from "vitest";
import { routingValueCandidates, MIN_ROUTED_FOR_RULE } from "../../lib/learning/routing-value-candidates";
import type { LoggedChoice } from "../../lib/learning/off-policy";
import type { RoutedAnswerRow } from "../../lib/db/queries/routed-answers";
import { seededRng } from "../../lib/learning/random";

/** `n` answers of one task type routed at random (a with chance pA, else b), each good with its model's rate. */
function routed(taskType: string, n: number, pA: number, rates: Record<string, number>, seed: number, eligible = ["a", "b"]): (LoggedChoice & { row: RoutedAnswerRow })[] {
  const rng = seededRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const model = eligible.length === 1 || rng() < pA ? "a" : "b";
    const reward = rng() < rates[model] ? 1 : 0;
    const row = { id: `${taskType}-${i}`, created_at: new Date(1_800_000_000_000 + i * 1000).toISOString(), draw: null, task_type: taskType, status: "completed", success_rating: null, feedback: {}, response_time: 100 };
    return { model, propensity: eligible.length === 1 ? 1 : model === "a" ? pA : 1 - pA, eligible, reward, table: "a", row };
  });
}

describe("routing rules the learned policy's log argues for", () => {
  it("proposes the model that would have answered a task type better, with its evidence, and nothing where it would not", () => {
    const log = [...routed("debugging", 600, 0.85, { a: 0.45, b: 0.8 }, 1), ...routed("math", 600, 0.85, { a: 0.7, b: 0.7 }, 2)];
    // Newest first, as the database gives them: the order does not matter.
    const out = routingValueCandidates([...log].reverse());
    expect(out).toHaveLength(1);
    const c = out[0];
    expect(c.change).toEqual({ type: "prefer_model", taskType: "debugging", model: "b" });
    expect(c.fingerprint).toBe("routing_rule:debugging:b");
    const ev = c.evidence.offPolicy as { gain: { lower: number }; estimate: number; learned: number; support: number };
    expect(ev.gain.lower).toBeGreaterThan(0);
    expect(ev.estimate).toBeGreaterThan(ev.learned);
    expect(ev.support).toBe(1);
    // Judged on the newer half of the task type's answers: what learned routing gets now.
    expect(c.evidence.answers).toBe(300);
    expect(c.evidence.count).toBe(c.support.length);
    // Its support: the answers b gave among them, by when they were given.
    expect(c.support.length).toBe(log.filter((l) => l.row.task_type === "debugging").slice(-300).filter((l) => l.model === "b").length);
    expect(c.description).toMatch(/would have succeeded \d+% of the time/);
  });

  it("judges the newer half to the millisecond, with the times as the database driver gives them (Dates), however fast the answers came", () => {
    // 600 answers a millisecond apart, all within one second; b became clearly better in the newer half only.
    const old = routed("debugging", 300, 0.85, { a: 0.8, b: 0.45 }, 5);
    const recent = routed("debugging", 300, 0.85, { a: 0.45, b: 0.8 }, 6);
    const log = [...old, ...recent].map((l, i) => ({ ...l, row: { ...l.row, id: `d-${i}`, created_at: new Date(1_800_000_000_000 + i) as unknown as string } }));
    const out = routingValueCandidates([...log].reverse()); // newest first, as the database gives them
    expect(out).toHaveLength(1);
    expect(out[0].change).toEqual({ type: "prefer_model", taskType: "debugging", model: "b" });
    expect(out[0].support).toEqual(log.slice(300).filter((l) => l.model === "b").map((l) => ({ id: l.row.id, at: expect.any(Date) })));
  });

  it("argues for nothing on too few answers, or for a model seldom drawable", () => {
    expect(routingValueCandidates(routed("debugging", 2 * MIN_ROUTED_FOR_RULE - 2, 0.5, { a: 0.1, b: 0.9 }, 3))).toEqual([]);
    expect(routingValueCandidates(routed("debugging", 2 * MIN_ROUTED_FOR_RULE, 0.5, { a: 0.1, b: 0.9 }, 3))).toHaveLength(1);
    // b drawable on a quarter of the requests only: the rest were a's alone.
    const mostlyA = routed("debugging", 800, 0.5, { a: 0.3, b: 0.9 }, 4).map((l, i) => (i % 4 ? { ...l, eligible: ["a"], model: "a", propensity: 1 } : l));
    expect(routingValueCandidates(mostlyA)).toEqual([]);
  });
});
