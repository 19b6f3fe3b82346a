import { createHash, randomBytes } from "node:crypto";

/**
 * API keys for the Ollama- and OpenAI-compatible endpoints: `eca_` + 32 random bytes in
 * base64url (47 characters). Only the SHA-256 of the whole key is stored; the first 12
 * characters are kept as the prefix the user recognises it by on Settings.
 */
export const KEY_PREFIX = "eca_";
export const PREFIX_LENGTH = 12;
const KEY_PATTERN = /^eca_[A-Za-z0-9_-]{43}$/;

export function generateApiKey(): { secret: string; prefix: string; hash: string } {
  const secret = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { secret, prefix: secret.slice(0, PREFIX_LENGTH), hash: hashApiKey(secret) };
}

export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** The key in `Authorization: Bearer <key>`, or null when the header is missing or not a bearer token. */
export function bearerToken(header: string | null): string | null {
  const m = header?.match(/^\s*Bearer\s+(\S+)\s*$/i);
  return m ? m[1] : null;
}

export function looksLikeApiKey(token: string): boolean {
  return KEY_PATTERN.test(token);
}

