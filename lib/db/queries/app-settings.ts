import type { Queryable } from "../types";

/** app_settings rows whose key starts with a prefix, as key → value. */
export async function getSettings(tx: Queryable, { prefix }: { prefix: string }): Promise<Record<string, unknown>> {
  const { rows } = await tx.query<{ key: string; value: unknown }>(`select key, value from app_settings where key like $1`, [`${prefix}%`]);
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export async function putSetting(tx: Queryable, { key, value, by }: { key: string; value: unknown; by: string }): Promise<void> {
  await tx.query(
    `insert into app_settings (key, value, updated_by, updated_at) values ($1, $2::jsonb, $3, now())
     on conflict (key) do update set value = excluded.value, updated_by = excluded.updated_by, updated_at = now()`,
    [key, JSON.stringify(value), by],
  );
}
