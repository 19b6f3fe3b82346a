import "server-only";
import { asSystem } from "@/lib/db";
import { getLabelledConfig, type ModelConfig } from "@/lib/db/queries/config";
import type { Role, TaskType } from "./domain";

export interface ResolvedConfig {
  versionId: string | null;
  version: number | null;
  config: ModelConfig;
  /** Set when an experiment assigned this conversation an arm (the learning-cycle issue). */
  experiment?: { id: string; arm: "control" | "variant" };
}

const FALLBACK_PROMPT = "You are a helpful, precise assistant.";

const g = globalThis as unknown as { __eliteConfig?: { at: number; value: Promise<ResolvedConfig> } };

async function loadProduction(): Promise<ResolvedConfig> {
  const row = await asSystem((tx) => getLabelledConfig(tx, { label: "production" }));
  return row ? { versionId: row.id, version: row.version, config: row.config } : { versionId: null, version: null, config: { prompts: {} } };
}

/**
 * The configuration a request runs under: the production version, cached for a few seconds.
 * Hook for experiments: `assignExperimentArm` (the learning-cycle issue) may return the
 * variant's version for a conversation instead; until then every request gets production.
 */
export async function resolveConfig(_ctx: { conversationId: string }): Promise<ResolvedConfig> {
  const hit = g.__eliteConfig;
  if (hit && Date.now() - hit.at < 5000) return hit.value;
  const value = loadProduction().catch((e) => {
    g.__eliteConfig = undefined;
    throw e;
  });
  g.__eliteConfig = { at: Date.now(), value };
  return value;
}

export function invalidateConfigCache(): void {
  g.__eliteConfig = undefined;
}

export function systemPromptFor(config: ModelConfig, role: Role | null, taskType: TaskType): string {
  if (!role) return FALLBACK_PROMPT;
  return config.task_prompts?.[role]?.[taskType] ?? config.prompts[role] ?? FALLBACK_PROMPT;
}
