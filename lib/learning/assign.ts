/**
 * Sticky experiment arms: a conversation's arm is a deterministic hash of (experiment unit,
 * experiment id) compared with the traffic split, so every request of a conversation gets the
 * same arm without storing anything, and another experiment reshuffles conversations. The unit
 * is the conversation's id in the chat, and for an API client's chat what every one of its
 * requests carries (lib/orchestrator/experiment-unit.ts), so no lookup stands before the model.
 */
export type Arm = "control" | "variant";

/** FNV-1a (32-bit) mapped to [0, 1). */
export function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Final avalanche (murmur3 fmix32) so similar ids spread evenly.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** `trafficSplit` is the share of conversations that get the variant. */
export function assignArm(experimentUnit: string, experimentId: string, trafficSplit: number): Arm {
  return unitHash(`${experimentId}:${experimentUnit}`) < trafficSplit ? "variant" : "control";
}
