/** Ollama's `keep_alive`, as the simulator reads it: how long a model stays loaded after a request. */

/** How long a model stays loaded when the request does not say (Ollama's default). */
export const DEFAULT_KEEP_ALIVE_MS = 5 * 60 * 1000;

/** Ollama's keep_alive: seconds as a number, or a Go duration ("5m", "300ms", "1h30m"); negative keeps the model forever. */
export function parseKeepAlive(v: unknown): number {
  if (v === undefined || v === null || v === "") return DEFAULT_KEEP_ALIVE_MS;
  if (typeof v === "number") return v < 0 ? Infinity : v * 1000;
  const s = String(v).trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s) < 0 ? Infinity : Number(s) * 1000;
  if (s.startsWith("-")) return Infinity;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  let m: RegExpExecArray | null;
  let matched = "";
  while ((m = re.exec(s))) {
    total += Number(m[1]) * units[m[2]];
    matched += m[0];
  }
  if (matched !== s) throw new Error(`invalid keep_alive "${s}"`);
  return total;
}
