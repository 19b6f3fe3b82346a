import { describe, expect, it } from "vitest";
import { actorLabel } from "../../components/adaptations/actor-label";

describe("actorLabel", () => {
  const me = "6f1c2d3e-0000-4000-8000-000000000001";
  it("names the viewer 'you', the scheduler and the cron endpoint by what they are, anyone else by the start of their id", () => {
    expect(actorLabel(me, me)).toBe("you");
    expect(actorLabel("system", me)).toBe("the schedule");
    expect(actorLabel("cron", me)).toBe("the cron endpoint");
    expect(actorLabel("9a8b7c6d-1111-4000-8000-000000000002", me)).toBe("9a8b7c6d");
    expect(actorLabel(null, me)).toBe("?");
  });
});
