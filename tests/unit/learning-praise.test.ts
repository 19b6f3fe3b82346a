import { describe, expect, it } from "vitest";
import { isPraise } from "../../lib/learning/praise";

// Comments written for this test (none is in a training file).
describe("praise", () => {
  it("thanks and approval that ask for nothing are praise", () => {
    for (const t of ["thank you, that did the trick", "great stuff, works like a charm", "cheers, exactly right", "thx!! perfect"]) expect(isPraise(t), t).toBe(true);
  });

  it("a complaint is not praise, however politely it thanks", () => {
    for (const t of [
      "thanks, but the answer is far too long",
      "thank you, though it has no tests at all",
      "thanks! could you explain what each line does?",
      "the function crashes on an empty list",
      "please use pathlib instead of os.path",
      "great answer, but please use pathlib next time",
      "",
    ])
      expect(isPraise(t), t).toBe(false);
  });
});
