import "server-only";
import type { Role } from "@/lib/domain";
import { getOllamaPool } from "@/lib/ollama";
import { currentRoster } from "@/lib/roster/current";

/** What a request may need of a model, as Ollama's /api/show names it. */
export type Capability = "tools" | "insert" | "thinking" | "vision";

/** Whether Ollama says the model has the capability (from /api/show, cached by the pool); unknown: no. */
export async function hasCapability(model: string, capability: Capability): Promise<boolean> {
  const info = await getOllamaPool().show(model).catch(() => null);
  return Boolean(info?.capabilities.includes(capability));
}

/** The roster models with the capability, each once, in role order. */
export async function rosterModelsWith(capability: Capability): Promise<{ role: Role; model: string }[]> {
  const roster = await currentRoster();
  const seen = new Set<string>();
  const out: { role: Role; model: string }[] = [];
  for (const [role, model] of Object.entries(roster.roles) as [Role, string][]) {
    if (seen.has(model)) continue;
    seen.add(model);
    if (await hasCapability(model, capability)) out.push({ role, model });
  }
  return out;
}
