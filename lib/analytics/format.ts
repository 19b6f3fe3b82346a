/** Display formatting for the dashboard (pure, shared by server and client components). */
import type { Grain } from "./filters";

export const NO_DATA = "—";

export function fmtPct(v: number | null | undefined, digits = 0): string {
  return v === null || v === undefined ? NO_DATA : `${(v * 100).toFixed(digits)}%`;
}

export function fmtMs(v: number | null | undefined): string {
  if (v === null || v === undefined) return NO_DATA;
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(v < 10_000 ? 2 : 1)} s`;
  return `${(v / 60_000).toFixed(1)} min`;
}

export function fmtNum(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined) return NO_DATA;
  return v.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function fmtCount(v: number): string {
  if (v >= 1_000_000) return `${(v / 1_000_000).toFixed(v >= 10_000_000 ? 0 : 2)}M`;
  if (v >= 10_000) return `${(v / 1000).toFixed(v >= 100_000 ? 0 : 1)}k`;
  return v.toLocaleString("en");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A bucket start as a tick (UTC, like the rollups): "14:00" or "3 Mar 14:00" for hours, "3 Mar" for days. */
export function fmtBucket(t: number, grain: Grain, long = false): string {
  const d = new Date(t);
  const day = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  if (grain === "day") return long ? `${day} ${d.getUTCFullYear()}` : day;
  const hh = `${String(d.getUTCHours()).padStart(2, "0")}:00`;
  return long || d.getUTCHours() === 0 ? `${day} ${hh}${long ? " UTC" : ""}` : hh;
}

export function taskLabel(t: string): string {
  return t === "" ? "unclassified" : t.replace(/_/g, " ");
}
