import { describe, expect, it } from "vitest";
import { isClientTask } from "../../lib/domain";

const chat = "<chat_history>\nUSER: How do I sort a map by value in Go?\nASSISTANT: Copy the keys into a slice and sort it.\n</chat_history>";

describe("isClientTask", () => {
  it("a task that quotes a chat is a client's housekeeping, whatever the task", () => {
    for (const task of ["Generate a concise title for the chat.", "Suggest follow-up questions the user might ask next.", "Generate 1-3 broad tags for the chat.", "Analyze the chat history to decide whether search queries are needed."]) {
      expect(isClientTask(`### Task:\n${task}\n### Chat History:\n${chat}`)).toBe(true);
    }
    expect(isClientTask(`  ## Task: name it\n${chat}`)).toBe(true);
  });

  it("a user's request is not, even one that opens the same way or quotes tags", () => {
    expect(isClientTask("### Task: write a Python function that reverses a linked list")).toBe(false);
    expect(isClientTask(`Summarise this:\n${chat}`)).toBe(false);
    expect(isClientTask("How do I parse <chat_history> tags with a regex?")).toBe(false);
    expect(isClientTask(`### Task:\nTitle it.\n<chat_history>\nUSER: hi`)).toBe(false); // no end tag: not the template
  });
});
