import type { Queryable } from "../types";

export interface ModelConfig {
  /** System prompt per role. */
  prompts: Record<string, string>;
  /** Overrides per role and task type: task_prompts[role][taskType]. */
  task_prompts?: Record<string, Record<string, string>>;
  /** Fixed parameters per model and task type (an approved parameter change): params[model][taskType]. */
  params?: Record<string, Record<string, { temperature?: number; num_predict?: number; num_ctx?: number }>>;
  [key: string]: unknown;
}

export interface ConfigVersionRow {
  id: string;
  version: number;
  config: ModelConfig;
  summary: string;
  created_at: Date;
}

export async function getLabelledConfig(tx: Queryable, { label }: { label: "production" | "candidate" }): Promise<ConfigVersionRow | null> {
  const { rows } = await tx.query<ConfigVersionRow>(
    `select v.id, v.version, v.config, v.summary, v.created_at
     from config_labels l join config_versions v on v.id = l.version_id where l.label = $1`,
    [label],
  );
  return rows[0] ?? null;
}
