import "server-only";
import { currentRoster } from "@/lib/roster/current";
import { modelAvailability } from "./availability";

/** The largest context window among the routed models installed (the composer's limit); 0 when unknown. */
export async function maxContextTokens(): Promise<number> {
  try {
    const roster = await currentRoster();
    const models = roster.routed.map((r) => r.model);
    const availability = await modelAvailability(models);
    const sizes = await Promise.all(models.filter((m) => availability.has(m)).map((m) => availability.contextLength(m)));
    return Math.max(0, ...sizes.map((s) => s ?? 0));
  } catch {
    return 0;
  }
}
