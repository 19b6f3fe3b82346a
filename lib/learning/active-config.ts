import "server-only";
import { asSystem } from "@/lib/db";
import { announceCommitted, onChange } from "@/lib/db/changes";
import { getLabelledConfig, type ModelConfig } from "@/lib/db/queries/config";
import { listExperiments } from "@/lib/db/queries/adaptations";
import { getVersion } from "@/lib/db/queries/config-versions";
import { assignArm } from "@/lib/learning/assign";
import { refreshing } from "@/lib/refreshing";

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
 * The production version and the running experiment, from memory: a change is announced (here
 * and to every instance, invalidateConfigCache), and after five seconds a request still gets
 * the copy it has at once while one re-read runs in the background (lib/refreshing.ts). Only
 * the first read, or the first after a change, waits for the database.
 */
const configState = refreshing("__eliteConfigState", loadState, { freshMs: 5000 });

/**
 * The configuration a request runs under: the production version; while an experiment runs,
 * the arm's version — sticky per conversation (a deterministic hash of the experiment unit
 * and experiment id against the traffic split, lib/learning/assign.ts).
 */
export async function resolveConfig(ctx: { experimentUnit: string }): Promise<ResolvedConfig> {
  onChange("config", forget);
  const { production, experiment } = await configState.get();
  if (!experiment) return production;
  const arm = assignArm(ctx.experimentUnit, experiment.id, experiment.split);
  return { ...experiment[arm], experiment: { id: experiment.id, arm } };
}

const forget = () => configState.forget();

/** After production or an experiment changed: forget the config here and in every other instance. */
export function invalidateConfigCache(): void {
  forget();
  announceCommitted({ topic: "config" });
}

