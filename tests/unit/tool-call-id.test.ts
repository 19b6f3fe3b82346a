import { describe, expect, it } from "vitest";
import { continuedStep, interactionOfToolCall, toolCallId } from "../../lib/api/tool-call-id";

const A = "30a0e69b-66e6-41a8-b488-34bc7a5e7db3";
const B = "b0000000-0000-4000-8000-00000000000b";

describe("tool call ids", () => {
  it("name the interaction that made the call, and only ours are read", () => {
    expect(toolCallId(A, 2)).toBe("call_30a0e69b66e641a8b48834bc7a5e7db3_2");
    expect(interactionOfToolCall(toolCallId(A, 0))).toBe(A);
    for (const other of ["call_1", "call_abc123", `call_${A.replace(/-/g, "")}`, "toolu_01A09q90qw90lq917835lq9", undefined]) expect(interactionOfToolCall(other)).toBeNull();
  });

  it("an agent's loop continues the last of our calls after the last question; calls of an earlier turn do not count", () => {
    const calls = (id: string) => ({ role: "assistant", tool_calls: [{ id: "call_1" }, { id }] });
    expect(continuedStep([{ role: "user" }, calls(toolCallId(A, 1)), { role: "tool" }, calls(toolCallId(B, 0)), { role: "tool" }])).toBe(B);
    expect(continuedStep([{ role: "user" }, calls(toolCallId(A, 0)), { role: "tool" }, { role: "assistant" }, { role: "user" }])).toBeUndefined();
    expect(continuedStep([{ role: "user" }, { role: "assistant", tool_calls: [{ id: "call_1" }] }, { role: "tool" }])).toBeUndefined();
  });
});
