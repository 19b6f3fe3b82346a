import "server-only";
import { asSystem } from "@/lib/db";
import { announceCommitted, onChange } from "@/lib/db/changes";
import { getLabelledConfig, type ModelConfig } from "@/lib/db/queries/config";
import { listExperiments } from "@/lib/db/queries/adaptations";
import { getVersion } from "@/lib/db/queries/config-versions";
import { assignArm } from "@/lib/learning/assign";
import { promptOf } from "@/lib/learning/proposals";

export interface ResolvedConfig {
  versionId: string | null;
  version: number | null;
  config: ModelConfig;
  /** Set when an experiment assigned this conversation an arm (the learning-cycle issue). */
  experiment?: { id: string; arm: "control" | "variant" };
}

interface ConfigState {
  production: ResolvedConfig;
  /** The running experiment (one at a time): its split and both arms' versions. */
  experiment: { id: string; split: number; control: ResolvedConfig; variant: ResolvedConfig } | null;
}

const g = globalThis as unknown as { __eliteConfig?: { at: number; value: Promise<ConfigState> } };

async function loadState(): Promise<ConfigState> {
  return asSystem(async (tx) => {
    const row = await getLabelledConfig(tx, { label: "production" });
    const production: ResolvedConfig = row ? { versionId: row.id, version: row.version, config: row.config } : { versionId: null, version: null, config: { prompts: {} } };
    const running = (await listExperiments(tx, { status: "running", limit: 1 }))[0];
    if (!running) return { production, experiment: null };
    const [c, v] = await Promise.all([getVersion(tx, { id: running.control_version_id }), getVersion(tx, { id: running.variant_version_id })]);
    if (!c || !v) return { production, experiment: null };
    return {
      production,
      experiment: {
        id: running.id,
        split: running.traffic_split,
        control: { versionId: c.id, version: c.version, config: c.config },
        variant: { versionId: v.id, version: v.version, config: v.config },
      },
    };
  });
}

/**
 * The configuration a request runs under: the production version, cached for a few seconds;
 * while an experiment runs, the arm's version — sticky per conversation (a deterministic hash
 * of conversation and experiment id against the traffic split, lib/learning/assign.ts).
 */
export async function resolveConfig(ctx: { conversationId: string }): Promise<ResolvedConfig> {
  onChange("config", forget);
  const hit = g.__eliteConfig;
  let state: Promise<ConfigState>;
  if (hit && Date.now() - hit.at < 5000) state = hit.value;
  else {
    state = loadState().catch((e) => {
      g.__eliteConfig = undefined;
      throw e;
    });
    g.__eliteConfig = { at: Date.now(), value: state };
  }
  const { production, experiment } = await state;
  if (!experiment) return production;
  const arm = assignArm(ctx.conversationId, experiment.id, experiment.split);
  return { ...experiment[arm], experiment: { id: experiment.id, arm } };
}

const forget = () => (g.__eliteConfig = undefined);

/** After production or an experiment changed: forget the config here and in every other instance. */
export function invalidateConfigCache(): void {
  forget();
  announceCommitted({ topic: "config" });
}

/** The system prompt a model gets for a task type under a configuration (lib/learning/proposals.ts's rule). */
export const systemPromptFor = promptOf;
