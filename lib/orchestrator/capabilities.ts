import "server-only";
import type { RoutedModel } from "@/lib/domain";
import { getOllamaPool } from "@/lib/ollama";
import { currentRoster } from "@/lib/roster/current";

/** What a request may need of a model, as Ollama's /api/show names it. */
export type Capability = "tools" | "insert" | "thinking" | "vision";

/** Whether Ollama says the model has the capability (from /api/show, cached by the pool); unknown: no. */
export async function hasCapability(model: string, capability: Capability): Promise<boolean> {
  const info = await getOllamaPool().show(model).catch(() => null);
  return Boolean(info?.capabilities.includes(capability));
}

/** The routed models with the capability, each once: the roster's in role order, then those without a role. */
export async function routedModelsWith(capability: Capability): Promise<RoutedModel[]> {
  const out: RoutedModel[] = [];
  for (const r of (await currentRoster()).routed) if (await hasCapability(r.model, capability)) out.push(r);
  return out;
}
