/**
 * Per-request (contextual) evidence for the routing policy: the observed rewards of the
 * nearest past requests, per model that answered them. Similarity is judged relative to the
 * neighbourhood itself, not against a constant: a neighbour counts by how far its similarity
 * stands above the median of the retrieved neighbours (0 at the median, 1 for a duplicate),
 * so it adapts to whatever embedding model produced the vectors. The whole neighbourhood
 * carries at most `strength` pseudo-outcomes, so per-task-type evidence still dominates unless
 * the nearest requests agree.
 */
import type { PastOutcome } from "@/lib/domain";
import type { ContextEvidence } from "./policy";

export const CONTEXT_STRENGTH = 2;

export function contextEvidence(neighbours: readonly PastOutcome[], strength = CONTEXT_STRENGTH): ContextEvidence {
  if (neighbours.length < 3) return {};
  const sims = neighbours.map((n) => n.similarity).sort((a, b) => a - b);
  const median = sims[Math.floor(sims.length / 2)];
  const out: Record<string, { successes: number; failures: number }> = {};
  let total = 0;
  for (const n of neighbours) {
    const w = median >= 1 ? 0 : Math.max(0, (n.similarity - median) / (1 - median));
    if (w === 0) continue;
    const e = (out[n.model] ??= { successes: 0, failures: 0 });
    e.successes += w * n.reward;
    e.failures += w * (1 - n.reward);
    total += w;
  }
  if (total > strength) {
    const scale = strength / total;
    for (const e of Object.values(out)) (e.successes *= scale), (e.failures *= scale);
  }
  return out;
}
