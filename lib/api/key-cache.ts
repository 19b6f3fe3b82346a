import "server-only";
import { asSystem } from "@/lib/db";
import { onChange } from "@/lib/db/changes";
import { markApiKeyUsed } from "@/lib/db/queries/api-keys";

/**
 * Which user a key hash belongs to, from memory: the request path asks the database only for
 * a key it has not seen in KEY_TTL_MS. A revoked or deleted key reaches every instance at once
 * (a "keys" change, sent by a database trigger whoever revoked it); the lifetime is the safety
 * net for a notification missed while a connection was down. `last_used_at` is brought up to
 * date at most once a minute per key, in the background.
 */
export const KEY_TTL_MS = 30_000;
const TOUCH_MS = 60_000;
const MAX_KEYS = 10_000;

type Entry = { userId: string; at: number; touchedAt: number };
const g = globalThis as unknown as { __eliteKeys?: Map<string, Entry> };
const keys = () => (g.__eliteKeys ??= new Map());

/** Forgets every key here (after a revocation; the trigger tells the other instances). */
export function forgetKeys(): void {
  keys().clear();
}

export async function keyUser(keyHash: string): Promise<string | null> {
  onChange("keys", forgetKeys);
  const now = Date.now();
  const hit = keys().get(keyHash);
  if (hit && now - hit.at < KEY_TTL_MS) {
    if (now - hit.touchedAt >= TOUCH_MS) {
      hit.touchedAt = now;
      void asSystem((tx) => markApiKeyUsed(tx, { keyHash }))
        .then((row) => row || keys().delete(keyHash))
        .catch((e) => console.error("marking an API key used failed", e));
    }
    return hit.userId;
  }
  const row = await asSystem((tx) => markApiKeyUsed(tx, { keyHash }));
  if (!row) {
    keys().delete(keyHash);
    return null;
  }
  if (keys().size >= MAX_KEYS) keys().clear();
  keys().set(keyHash, { userId: row.user_id, at: now, touchedAt: now });
  return row.user_id;
}
