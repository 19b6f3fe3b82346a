import { describe, expect, it } from "vitest";
import { CHAT_TASK_TYPES as TASK_TYPES } from "../../lib/domain";
import { routerMessages } from "../../lib/orchestrator/router-classification";

describe("the router model's few-shot prompt", () => {
  it("defines every task type, shows up to four confirmed requests as answered turns, nearest first, then the request", () => {
    const examples = ["a", "b", "c", "d", "e"].map((p, i) => ({ prompt: `request ${p}`, taskType: TASK_TYPES[i] }));
    const m = routerMessages({ prompt: "why does my build fail?", previous: null }, examples);
    expect(m[0].role).toBe("system");
    for (const t of TASK_TYPES) expect(m[0].content).toContain(`- ${t}: `);
    expect(m[0].content).not.toContain("completion"); // the endpoint decides that one, never the router model
    expect(m.slice(1, -1)).toHaveLength(8);
    expect(m[1]).toEqual({ role: "user", content: "request a" });
    expect(JSON.parse(m[2].content)).toEqual({ task_type: TASK_TYPES[0], confidence: 1 });
    expect(m.map((x) => x.content)).not.toContain("request e");
    expect(m.at(-1)).toEqual({ role: "user", content: "why does my build fail?" });
  });

  it("asks about a follow-up with the request before it", () => {
    const last = routerMessages({ prompt: "and in rust?", previous: "write a Go function that sums a CSV column" }, []).at(-1)!;
    expect(last.role).toBe("user");
    expect(last.content).toContain("write a Go function that sums a CSV column");
    expect(last.content.indexOf("and in rust?")).toBeGreaterThan(last.content.indexOf("write a Go function"));
    expect(routerMessages({ prompt: "and in rust?", previous: "  " }, []).at(-1)!.content).toBe("and in rust?");
  });

  it("asks with the definitions alone when nothing is confirmed yet", () => {
    expect(routerMessages({ prompt: "hello", previous: null }, []).map((x) => x.role)).toEqual(["system", "user"]);
  });
});
