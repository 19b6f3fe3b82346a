/** Sampling parameters an answer ran with (or a bandit arm proposes). */
export interface SamplingParams {
  temperature: number;
  num_predict: number;
  num_ctx: number;
}

/**
 * The one key of a parameter arm, e.g. "t0.2 p1024 c4096": the bandit's arm id, the Learning
 * Director's grouping, proposal fingerprints and the dashboards' rollups (SQL
 * `private.interaction_arm`, kept equal by tests/integration/analytics-rollups.test.ts).
 */
export function armKey(p: Pick<SamplingParams, "temperature"> & Partial<SamplingParams>): string {
  return `t${p.temperature} p${p.num_predict ?? "?"} c${p.num_ctx ?? "?"}`;
}

/** An arm id written before armKey existed ("t0.2-p1024-c4096"), in today's form. */
export function currentArmKey(id: string): string {
  const m = /^t([\d.]+)-p(\d+)-c(\d+)$/.exec(id);
  return m ? `t${m[1]} p${m[2]} c${m[3]}` : id;
}
