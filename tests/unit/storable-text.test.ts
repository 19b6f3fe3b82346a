import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { STORABLE_TEXT_MESSAGE, isStorableText } from "../../lib/domain";
import { apiFeedbackSchema, ollamaChatSchema, openaiChatSchema } from "../../lib/api/schemas";
import { feedbackSchema, renameSchema, searchSchema, sendMessageSchema } from "../../app/(chat)/schema";
import { apiKeyCreateSchema } from "../../app/settings/schema";
import { rejectSchema } from "../../app/(ops)/adaptations/schema";

const ID = "5f0c6f3e-2b1a-4c3d-9e8f-0a1b2c3d4e5f";

/** Every entry point that takes user text, with where the text goes. */
const ENTRY_POINTS: [string, z.ZodType, (text: string) => unknown][] = [
  ["chat message", sendMessageSchema, (t) => ({ conversationId: null, prompt: t })],
  ["chat feedback correction", feedbackSchema, (t) => ({ interactionId: ID, correction: t })],
  ["conversation title", renameSchema, (t) => ({ id: ID, title: t })],
  ["conversation search", searchSchema, (t) => ({ query: t })],
  ["Ollama /api/chat", ollamaChatSchema, (t) => ({ model: "elite", messages: [{ role: "user", content: t }] })],
  ["OpenAI /v1/chat/completions (string)", openaiChatSchema, (t) => ({ model: "elite", messages: [{ role: "user", content: t }] })],
  ["OpenAI /v1/chat/completions (parts)", openaiChatSchema, (t) => ({ model: "elite", messages: [{ role: "user", content: [{ type: "text", text: t }] }] })],
  ["POST /api/feedback correction", apiFeedbackSchema, (t) => ({ interaction_id: ID, correction: t })],
  ["API key name", apiKeyCreateSchema, (t) => ({ name: t })],
  ["rejection reason", rejectSchema, (t) => ({ id: ID, reason: t })],
];

/** Ordinary text with something the database cannot store put somewhere inside it. */
const unstorable = fc
  .tuple(fc.string({ minLength: 3, maxLength: 40 }), fc.constantFrom("\u0000", "\ud800", "\udfff", "\udbff"), fc.string({ minLength: 0, maxLength: 40 }))
  .map(([a, bad, b]) => `word ${a}${bad}${b} word`);

describe("text the database cannot store", () => {
  it("is recognised: NUL and lone surrogates, not ordinary or astral text", () => {
    expect(isStorableText("hello 👋 wörld")).toBe(true);
    expect(isStorableText("a\u0000b")).toBe(false);
    expect(isStorableText("a\ud83db")).toBe(false);
  });

  it.each(ENTRY_POINTS)("is refused with a clear message at the %s", (_name, schema, body) => {
    fc.assert(
      fc.property(unstorable, (text) => {
        const r = schema.safeParse(body(text));
        expect(r.success).toBe(false);
        expect(r.error!.issues.map((i) => i.message)).toContain(STORABLE_TEXT_MESSAGE);
      }),
      { seed: 42, numRuns: 50 },
    );
    // The same entry point takes ordinary text.
    expect(schema.safeParse(body("Why does my build fail?")).success).toBe(true);
  });
});
