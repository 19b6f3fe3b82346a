import type { Queryable } from "../types";

export interface ApiKeyRow {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = "id, user_id, name, prefix, created_at, last_used_at, revoked_at";

/** Under the user's RLS: the row belongs to auth.uid() (the column's default and the policy). */
export async function createApiKey(tx: Queryable, k: { name: string; prefix: string; keyHash: string }): Promise<ApiKeyRow> {
  const { rows } = await tx.query<ApiKeyRow>(
    `insert into api_keys (name, prefix, key_hash) values ($1, $2, $3) returning ${COLUMNS}`,
    [k.name, k.prefix, k.keyHash],
  );
  return rows[0];
}

/** The caller's keys (RLS: own rows only), newest first; the hash never leaves the database. */
export async function listApiKeys(tx: Queryable): Promise<ApiKeyRow[]> {
  const { rows } = await tx.query<ApiKeyRow>(`select ${COLUMNS} from api_keys order by created_at desc, id`);
  return rows;
}

/** Revokes one of the caller's keys; null when it is not theirs (RLS) or does not exist. */
export async function revokeApiKey(tx: Queryable, { id }: { id: string }): Promise<ApiKeyRow | null> {
  const { rows } = await tx.query<ApiKeyRow>(
    `update api_keys set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${COLUMNS}`,
    [id],
  );
  return rows[0] ?? null;
}

/**
 * The system path (asSystem), before anyone is known: the live key with this hash, marked
 * as used. A revoked or unknown hash gives null. Comparing hashes through the unique index
 * needs no constant-time compare: the secret itself is never compared.
 */
export async function markApiKeyUsed(tx: Queryable, { keyHash }: { keyHash: string }): Promise<{ id: string; user_id: string } | null> {
  const { rows } = await tx.query<{ id: string; user_id: string }>(
    `update api_keys set last_used_at = now() where key_hash = $1 and revoked_at is null returning id, user_id`,
    [keyHash],
  );
  return rows[0] ?? null;
}
