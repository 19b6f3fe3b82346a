import type { Queryable } from "../types";
import type { ModelConfig } from "./config";

/** Configuration versions (immutable) and the labels pointing at them. */
export interface VersionRow {
  id: string;
  version: number;
  parent_id: string | null;
  config: ModelConfig;
  summary: string;
  created_by: string | null;
  created_at: Date;
  labels: string[];
}

const COLUMNS = `v.id, v.version, v.parent_id, v.config, v.summary, v.created_by, v.created_at,
  coalesce((select array_agg(l.label order by l.label) from config_labels l where l.version_id = v.id), '{}') as labels`;

export async function listVersions(tx: Queryable, { limit = 100 }: { limit?: number } = {}): Promise<VersionRow[]> {
  const { rows } = await tx.query<VersionRow>(`select ${COLUMNS} from config_versions v order by v.version desc limit $1`, [limit]);
  return rows;
}

export async function getVersion(tx: Queryable, { id }: { id: string }): Promise<VersionRow | null> {
  const { rows } = await tx.query<VersionRow>(`select ${COLUMNS} from config_versions v where v.id = $1`, [id]);
  return rows[0] ?? null;
}

export async function getLabelledVersion(tx: Queryable, { label }: { label: "production" | "candidate" }): Promise<VersionRow | null> {
  const { rows } = await tx.query<VersionRow>(
    `select ${COLUMNS} from config_versions v join config_labels cl on cl.version_id = v.id where cl.label = $1`,
    [label],
  );
  return rows[0] ?? null;
}

export async function insertVersion(
  tx: Queryable,
  v: { parentId: string | null; config: ModelConfig; summary: string; createdBy: string },
): Promise<{ id: string; version: number }> {
  const { rows } = await tx.query<{ id: string; version: number }>(
    `insert into config_versions (parent_id, config, summary, created_by) values ($1, $2::jsonb, $3, $4) returning id, version`,
    [v.parentId, JSON.stringify(v.config), v.summary.slice(0, 500), v.createdBy],
  );
  return rows[0];
}

export async function setLabel(tx: Queryable, { label, versionId, by }: { label: "production" | "candidate"; versionId: string; by: string }): Promise<void> {
  await tx.query(
    `insert into config_labels (label, version_id, updated_by, updated_at) values ($1, $2, $3, now())
     on conflict (label) do update set version_id = excluded.version_id, updated_by = excluded.updated_by, updated_at = now()`,
    [label, versionId, by],
  );
}

export async function removeLabel(tx: Queryable, { label }: { label: "production" | "candidate" }): Promise<void> {
  await tx.query(`delete from config_labels where label = $1`, [label]);
}
