import { describe, expect, it } from "vitest";
import { prepareRoutingValue } from "../../lib/analytics/routing-value";
import type { RoutedAnswerRow } from "../../lib/db/queries/routed-answers";

const answer = (draw: unknown, thumbs: "up" | "down" | null, status = "completed"): RoutedAnswerRow => ({
  id: crypto.randomUUID(),
  created_at: new Date().toISOString(),
  draw,
  task_type: "debugging",
  status,
  success_rating: null,
  feedback: thumbs ? { thumbs } : {},
  response_time: 100,
});

describe("what learned routing is worth, prepared", () => {
  it("judges the table and each model on the answers with a reward and a draw that parses, best model first", () => {
    const rows: RoutedAnswerRow[] = [];
    // a was drawn with chance 0.75 and answers well half the time; b with 0.25 and always well; the table prefers a.
    for (let i = 0; i < 120; i++) {
      const model = i % 4 === 0 ? "b" : "a";
      rows.push(answer({ model, propensity: model === "a" ? 0.75 : 0.25, eligible: ["a", "b"], table: "a" }, model === "b" || i % 2 ? "up" : "down"));
    }
    rows.push(answer({ model: "a", propensity: 0.5, eligible: ["a"], table: "a" }, null, "cancelled")); // no outcome
    rows.push(answer({ model: "a" }, "up")); // a draw from an older shape
    rows.push(answer(null, "up"));
    const v = prepareRoutingValue(rows);
    expect(v.empty).toBeNull();
    expect(v.answers).toBe(120);
    expect(v.rows.map((r) => r.policy)).toEqual(["learned", "table", "b", "a"]);
    expect(v.rows[2].value.value).toBe(1);
    expect(v.rows[1].value.value).toBeCloseTo(v.rows[3].value.value!, 9);
    expect(v.rows[0].value.value).toBeCloseTo(rows.slice(0, 120).filter((r) => r.feedback.thumbs === "up").length / 120, 9);
  });

  it("says why there is nothing to show, and leaves out a fixed policy judged on too little", () => {
    expect(prepareRoutingValue([]).empty).toMatch(/No answers/);
    const few = [answer({ model: "a", propensity: 0.9, eligible: ["a", "b"], table: "b" }, "up"), answer({ model: "b", propensity: 0.1, eligible: ["a", "b"], table: "b" }, "down")];
    expect(prepareRoutingValue(few).rows.map((r) => r.policy)).toEqual(["learned"]);
  });
});
