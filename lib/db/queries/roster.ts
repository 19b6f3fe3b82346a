import type { Queryable } from "../types";

export const ROSTER_ROLES = ["router", "math", "lead_developer", "senior_developer", "architect", "embedding"] as const;
export type RosterRole = (typeof ROSTER_ROLES)[number];

export interface RosterEntry {
  role: RosterRole;
  model_tag: string;
  updated_at: Date;
  updated_by: string | null;
}

export async function getRoster(tx: Queryable): Promise<RosterEntry[]> {
  const { rows } = await tx.query<RosterEntry>(
    `select * from model_roles order by array_position($1::text[], role)`,
    [ROSTER_ROLES as unknown as string[]],
  );
  return rows;
}

/** Changes the tags that differ; returns the roles that changed with their old and new tags. */
export async function updateRoster(
  tx: Queryable,
  { entries, by }: { entries: { role: RosterRole; modelTag: string }[]; by: string },
): Promise<{ role: RosterRole; from: string; to: string }[]> {
  const changed: { role: RosterRole; from: string; to: string }[] = [];
  for (const { role, modelTag } of entries) {
    const { rows } = await tx.query<{ from: string }>(
      `with old as (select model_tag from model_roles where role = $1)
       update model_roles set model_tag = $2, updated_at = now(), updated_by = $3
       where role = $1 and model_tag <> $2
       returning (select model_tag from old) as from`,
      [role, modelTag, by],
    );
    if (rows[0]) changed.push({ role, from: rows[0].from, to: modelTag });
  }
  return changed;
}

/** The models routed without a role, in the order they were added. */
export async function getRoutedModels(tx: Queryable): Promise<string[]> {
  const { rows } = await tx.query<{ model_tag: string }>(`select model_tag from routed_models order by added_at, model_tag`);
  return rows.map((r) => r.model_tag);
}

/** Makes `tags` the models routed without a role; returns those added and those removed. */
export async function setRoutedModels(tx: Queryable, { tags, by }: { tags: readonly string[]; by: string }): Promise<{ added: string[]; removed: string[] }> {
  const removed = await tx.query<{ model_tag: string }>(`delete from routed_models where not (model_tag = any($1::text[])) returning model_tag`, [tags]);
  const added = await tx.query<{ model_tag: string }>(
    `insert into routed_models (model_tag, added_by) select t, $2 from unnest($1::text[]) as t on conflict (model_tag) do nothing returning model_tag`,
    [tags, by],
  );
  return { added: added.rows.map((r) => r.model_tag), removed: removed.rows.map((r) => r.model_tag) };
}
