import { describe, expect, it } from "vitest";
import { DEFAULT_ROLE_MODELS, rosterFromRows } from "../../lib/domain";
import { preferenceIn } from "../../lib/learning/model-preference";
import { feedbackTexts } from "../../lib/learning/proposal-candidates";
import type { AnalysisRow } from "../../lib/db/queries/adaptations";

const roster = rosterFromRows([]);

describe("a better model named in a comment", () => {
  it("is read from the ways people say it, by role or by model", () => {
    const cases: [string, string][] = [
      ["the maths specialist would have been better", DEFAULT_ROLE_MODELS.math],
      ["Honestly I think mathstral would've done a much better job.", "mathstral"],
      ["should have asked the architect", DEFAULT_ROLE_MODELS.architect],
      ["Should've used deepseek for this kind of request", DEFAULT_ROLE_MODELS.lead_developer],
      ["use the senior dev next time", DEFAULT_ROLE_MODELS.senior_developer],
      ["the lead developer is better at this kind of thing", DEFAULT_ROLE_MODELS.lead_developer],
      ["better handled by the maths model", DEFAULT_ROLE_MODELS.math],
      ["codellama could have answered this better", "codellama:7b-instruct"],
    ];
    for (const [comment, model] of cases) expect(preferenceIn(comment, roster)?.model, comment).toBe(model);
  });

  it("is nothing when the words name no model the roster knows, however the sentence goes", () => {
    for (const comment of ["a table would have been better", "this would have been better with comments", "it would have been better to explain the regex", "I would have been better off reading the docs", "gpt-4 would have been better", "use a dict instead", "the math is wrong", "my senior dev would have done better", "a real architect would have been better"]) {
      expect(preferenceIn(comment, roster), comment).toBeNull();
    }
  });

  it("keeps the rest of the comment, which may ask for something else", () => {
    expect(preferenceIn("wizardcoder would have been way better, also please add tests", roster)).toEqual({ model: "wizardcoder", rest: "also please add tests" });
    expect(preferenceIn("mathstral would have been better for this", roster)).toEqual({ model: "mathstral", rest: "" });
  });

  it("is left out of the complaints the Learning Director groups, and the rest of the comment kept", () => {
    const row = (id: string, feedback: Record<string, unknown>) =>
      ({ id, created_at: new Date(), feedback_at: new Date(), user_id: "u", status: "completed", task_type: "code_generation", model_used: "deepseek-coder:6.7b", routing_decision: {}, success_rating: null, feedback, response_time: 1, config_version_id: null, experiment_id: null }) as unknown as AnalysisRow;
    const texts = feedbackTexts(
      [
        row("a", { comment: "the maths specialist would have been better", betterModel: DEFAULT_ROLE_MODELS.math }),
        row("b", { comment: "wizardcoder would have been way better, also please add tests", betterModel: "wizardcoder" }),
        row("c", { comment: "a table would have been better" }),
      ],
      roster,
    );
    expect(texts.map((t) => [t.id, t.text])).toEqual([
      ["b", "also please add tests"],
      ["c", "a table would have been better"],
    ]);
  });
});
