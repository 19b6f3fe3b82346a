/**
 * Where a time chart's series has a value with a gap on both sides (a bucket alone between
 * empty ones, or the only bucket with data): a line joins neighbouring values only, so such a
 * point draws nothing unless it is marked. (Gaps stay gaps: nothing here fills them.)
 */
import type { Point } from "./prepare";

const has = (points: readonly Point[], i: number, key: string) => i >= 0 && i < points.length && points[i][key] !== null && points[i][key] !== undefined;

/** True when points[i] has a value for `key` and neither neighbour has one. */
export function isIsolated(points: readonly Point[], i: number, key: string): boolean {
  return has(points, i, key) && !has(points, i - 1, key) && !has(points, i + 1, key);
}
