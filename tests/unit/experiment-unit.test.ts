import { describe, expect, it } from "vitest";
import { experimentUnit } from "../../lib/orchestrator/experiment-unit";

const base = { conversationId: null, newConversationId: "new-conversation", userId: "user-1", source: "api" as const };

describe("experimentUnit", () => {
  it("the chat's unit is its conversation, an existing one or the one being started", () => {
    expect(experimentUnit({ ...base, source: "chat", conversationId: "c-1", history: [], prompt: "hi" })).toBe("c-1");
    expect(experimentUnit({ ...base, source: "chat", history: [], prompt: "hi" })).toBe("new-conversation");
  });

  it("every turn of one API chat has the first turn's unit; another opening, or another user, has another", () => {
    const opening = "Why does my Go goroutine leak when the channel is never closed?";
    const first = experimentUnit({ ...base, history: [], prompt: opening });
    const later = experimentUnit({
      ...base,
      newConversationId: "another-new-id",
      history: [{ role: "system", content: "Be brief." }, { role: "user", content: opening }, { role: "assistant", content: "Because…" }],
      prompt: "And with a context?",
    });
    expect(later).toBe(first);
    expect(experimentUnit({ ...base, history: [], prompt: "How do I close a channel twice safely?" })).not.toBe(first);
    expect(experimentUnit({ ...base, userId: "user-2", history: [], prompt: opening })).not.toBe(first);
  });

  it("a long opening is told apart by its start and its length", () => {
    const long = "x".repeat(10_000);
    const unit = (prompt: string) => experimentUnit({ ...base, history: [], prompt });
    expect(unit(`${long}a`)).not.toBe(unit(`${long}ab`));
    expect(unit(`a${long}`)).not.toBe(unit(`b${long}`));
  });
});
