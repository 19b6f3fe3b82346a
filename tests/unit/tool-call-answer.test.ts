import { describe, expect, it } from "vitest";
import { toolCallAnswer, toolCallsOfAnswer } from "../../lib/chat/tool-call-answer";

describe("an answer that only called functions", () => {
  it("is recorded as its calls and read back as them", () => {
    const calls = [{ function: { name: "read_file", arguments: { path: "src/index.ts" } } }];
    expect(toolCallsOfAnswer(toolCallAnswer(calls))).toEqual(calls);
  });

  it("keeps each call's name and arguments only, so a client sending the calls back without the rest finds the same record", () => {
    const fromModel = [{ function: { index: 0, name: "read_file", arguments: { path: "a.go" } } }] as unknown as Parameters<typeof toolCallAnswer>[0];
    expect(toolCallAnswer(fromModel)).toBe(toolCallAnswer([{ function: { name: "read_file", arguments: { path: "a.go" } } }]));
  });

  it("any other answer is text, even one that looks like JSON", () => {
    for (const text of ["Here is the code.", '{"tool_calls": "none"}', '{"tool_calls":[]}', '{"tool_calls":[{"name":"x"}]}', '{"tool_calls":[', ""]) expect(toolCallsOfAnswer(text)).toBeNull();
  });
});
