import { hash32, rng } from "./random";

/**
 * Faults the simulator can inject, by name:
 * - `refuse`: the connection is destroyed before any answer (the client sees a network error);
 * - `timeout`: no answer at all until the client gives up;
 * - `http500`: an Ollama-style `{"error": …}` with status 500;
 * - `unknown_model`: 404 `model "x" not found, try pulling it first`, as real Ollama says;
 * - `cut:N`: the stream is cut (socket destroyed) after N chunks;
 * - `malformed:N`: one malformed NDJSON line after N chunks (the stream then goes on);
 * - `slow:MS`: MS extra milliseconds before every token after the first (not time-scaled);
 * - `refusal`: the model answers "I'm sorry, but I can't help with that.";
 * - `empty`: the model answers with empty content.
 */
export type Fault =
  | { kind: "refuse" | "timeout" | "http500" | "unknown_model" | "refusal" | "empty" }
  | { kind: "cut" | "malformed" | "slow"; n: number };

/** A server-wide rule: `model` (any when absent or `*`) gets `fault` with probability `rate` (default 1). */
export interface FaultRule {
  model?: string;
  fault: string;
  rate?: number;
}

const SIMPLE = new Set(["refuse", "timeout", "http500", "unknown_model", "refusal", "empty"]);

export function parseFault(text: string | undefined | null): Fault | undefined {
  if (!text) return undefined;
  const t = text.trim().toLowerCase();
  if (SIMPLE.has(t)) return { kind: t as "refuse" };
  const m = t.match(/^(cut|malformed|slow):(\d+)$/);
  if (m) return { kind: m[1] as "cut", n: Number(m[2]) };
  throw new Error(`unknown fault "${text}" (expected refuse, timeout, http500, unknown_model, refusal, empty, cut:N, malformed:N or slow:MS)`);
}

export function validateRules(rules: unknown): FaultRule[] {
  const list = Array.isArray(rules) ? rules : [rules];
  return list.map((r) => {
    if (!r || typeof r !== "object" || typeof (r as FaultRule).fault !== "string")
      throw new Error('a fault rule is an object like {"model": "openhermes", "fault": "http500", "rate": 0.5}');
    const rule = r as FaultRule;
    parseFault(rule.fault);
    if (rule.rate !== undefined && !(rule.rate >= 0 && rule.rate <= 1)) throw new Error("rate must be between 0 and 1");
    return { model: rule.model, fault: rule.fault, rate: rule.rate };
  });
}

/** Parses `model=fault[@rate]` (CLI form), e.g. `wizardcoder=http500@0.2` or `*=slow:50`. */
export function parseRuleFlag(flag: string): FaultRule {
  const m = flag.match(/^([^=]+)=([^@]+)(?:@([\d.]+))?$/);
  if (!m) throw new Error(`--fault expects model=fault[@rate], got "${flag}"`);
  const rule: FaultRule = { model: m[1] === "*" ? undefined : m[1], fault: m[2], rate: m[3] ? Number(m[3]) : undefined };
  return validateRules([rule])[0];
}

/**
 * Chooses the fault for one request: the `x-sim-fault` header first, then the first rule
 * matching the model whose seeded draw falls under its rate.
 */
export function chooseFault(opts: {
  header: string | undefined;
  rules: FaultRule[];
  model: string;
  seed: number;
  counter: number;
  normalize: (name: string) => string;
}): Fault | undefined {
  if (opts.header) return parseFault(opts.header);
  for (const [i, rule] of opts.rules.entries()) {
    if (rule.model && rule.model !== "*" && opts.normalize(rule.model) !== opts.model) continue;
    const rate = rule.rate ?? 1;
    if (rate >= 1 || rng(hash32(opts.seed, "fault", i, opts.model, opts.counter))() < rate) return parseFault(rule.fault);
  }
  return undefined;
}
