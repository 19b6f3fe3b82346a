import "server-only";
import { normalizeModel, roleLabel } from "@/lib/domain";
import { getOllamaPool } from "@/lib/ollama";
import { asSystem } from "@/lib/db";
import { getRoster } from "@/lib/db/queries/roster";
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
