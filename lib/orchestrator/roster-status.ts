import "server-only";
import { normalizeModel, roleLabel, sameModel } from "@/lib/domain";
import { getOllamaPool } from "@/lib/ollama";
import { asSystem } from "@/lib/db";
import { getRoster, getRoutedModels } from "@/lib/db/queries/roster";
import { lastModelError } from "./availability";

/** Per role: its tag, whether a host has it, whether it is loaded, its context window, its last error. */
export async function rosterStatus() {
  const pool = getOllamaPool();
  const [roster, tags, loaded] = await Promise.all([asSystem(getRoster), pool.listModels(), pool.loadedModels()]);
  const installed = new Set(tags.models.map((m) => normalizeModel(m.name)));
  const inMemory = new Set(loaded.map((m) => normalizeModel(m.name)));
  return Promise.all(
    roster.map(async (r) => {
      const pulled = installed.has(normalizeModel(r.model_tag));
      const contextLength = pulled ? await pool.show(r.model_tag).then((i) => i.contextLength, () => null) : null;
      const err = lastModelError(r.model_tag);
      return {
        role: r.role,
        label: roleLabel(r.role),
        modelTag: r.model_tag,
        pulled,
        loaded: inMemory.has(normalizeModel(r.model_tag)),
        contextLength,
        lastError: err ? `${err.message} (${err.at.toISOString().slice(11, 19)} UTC)` : null,
      };
    }),
  );
}

export interface RoutedModelStatus {
  modelTag: string;
  /** an operator added it to routing */
  routed: boolean;
  pulled: boolean;
  loaded: boolean;
}

/**
 * The models that may be routed without a role: every installed chat model that plays no
 * role in the roster (Ollama reports "completion" for it: embedding models are left out),
 * and every model already routed, installed or not, each with whether it is routed now.
 */
export async function routedModelsStatus(): Promise<RoutedModelStatus[]> {
  const pool = getOllamaPool();
  const [[roster, routed], tags, loaded] = await Promise.all([
    asSystem(async (tx) => [await getRoster(tx), await getRoutedModels(tx)] as const),
    pool.listModels(),
    pool.loadedModels(),
  ]);
  const inMemory = new Set(loaded.map((m) => normalizeModel(m.name)));
  const installed = tags.models.map((m) => normalizeModel(m.name));
  const playsRole = (m: string) => roster.some((r) => sameModel(r.model_tag, m));
  const others = installed.filter((m) => !playsRole(m) && !routed.some((r) => sameModel(r, m)));
  const chat = await Promise.all(others.map((m) => pool.show(m).then((i) => i.capabilities.includes("completion"), () => false)));
  const offered = others.filter((_, i) => chat[i]);
  return [
    ...routed.map((m) => ({ modelTag: m, routed: true, pulled: installed.some((x) => sameModel(x, m)), loaded: inMemory.has(normalizeModel(m)) })),
    ...offered.sort().map((m) => ({ modelTag: m, routed: false, pulled: true, loaded: inMemory.has(m) })),
  ];
}
