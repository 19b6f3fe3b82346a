import { z } from "zod";

/**
 * Text the database can store: Postgres refuses NUL (U+0000) in text and jsonb, and a lone
 * UTF-16 surrogate is no character at all. Every entry point parses user text with this, so
 * such input is a clear 400 rather than a failed insert (a 500) halfway through a request.
 */
export function isStorableText(s: string): boolean {
  return !s.includes("\u0000") && s.isWellFormed();
}

export const STORABLE_TEXT_MESSAGE = "contains a NUL character or a broken Unicode sequence, which cannot be stored";

/** z.string() that refuses what the database cannot store. */
export function storableText() {
  return z.string().refine(isStorableText, STORABLE_TEXT_MESSAGE);
}
