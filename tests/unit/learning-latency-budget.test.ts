import { describe, expect, it } from "vitest";
import { budgetFrom, FLOOR_MS, MIN_SAMPLES, SAFETY, WINDOW } from "../../lib/learning/latency-budget";

const DEFAULTS = { firstTokenMs: 60_000, totalMs: 300_000 };
const warm = (ttftMs: number, totalMs = ttftMs * 10) => ({ ttftMs, totalMs, cold: false });

describe("learned time-outs", () => {
  it("keeps the defaults until a model has answered often enough of that kind (cold and warm apart)", () => {
    const few = Array.from({ length: MIN_SAMPLES - 1 }, () => warm(500));
    expect(budgetFrom(few, false, DEFAULTS)).toBeNull();
    const enough = [...few, warm(500)];
    expect(budgetFrom(enough, false, DEFAULTS)).not.toBeNull();
    expect(budgetFrom(enough, true, DEFAULTS)).toBeNull(); // no cold starts seen yet
  });

  it("is a multiple of the slow end of the model's own latency, within the floor and the defaults", () => {
    const fast = Array.from({ length: 20 }, (_, i) => warm(100 + i * 10, 1000 + i * 100));
    const b = budgetFrom(fast, false, DEFAULTS)!;
    expect(b.firstTokenMs).toBe(FLOOR_MS); // 4 × ~290 ms is under the floor
    expect(b.totalMs).toBeGreaterThan(SAFETY * 2800);
    expect(b.totalMs).toBeLessThanOrEqual(SAFETY * 2900 + 1);
    const slow = Array.from({ length: 20 }, (_, i) => warm(9000 + i * 100, 120_000));
    const s = budgetFrom(slow, false, DEFAULTS)!;
    expect(s.firstTokenMs).toBeGreaterThan(SAFETY * 10_000);
    expect(s.firstTokenMs).toBeLessThanOrEqual(DEFAULTS.firstTokenMs);
    expect(s.totalMs).toBe(DEFAULTS.totalMs); // 4 × 120 s is beyond the default: the default holds
  });

  it("follows the model as it is now: only the recent window counts", () => {
    const old = Array.from({ length: WINDOW }, () => warm(20_000));
    const recent = Array.from({ length: WINDOW }, () => warm(300));
    expect(budgetFrom([...old, ...recent], false, DEFAULTS)!.firstTokenMs).toBe(FLOOR_MS);
  });
});
