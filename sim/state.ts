/**
 * What the simulator remembers between requests, shared by its endpoints: the models it has
 * and which are loaded (until when), how often each prompt was attempted (answers are drawn
 * per attempt), the fault rules and their counters, and the request statistics.
 */
import type http from "node:http";
import { chooseFault, validateRules, type Fault, type FaultRule } from "./faults";
import { normalizeModelName, type SimModel } from "./models";
import { DEFAULT_KEEP_ALIVE_MS } from "./keep-alive";

export interface SimStats {
  /** Requests per endpoint, e.g. `{"POST /api/chat": 3}`. */
  requests: Record<string, number>;
  /** Requests per model and endpoint. */
  byModel: Record<string, Record<string, number>>;
  /** Generation/embedding requests running now, per model. */
  inFlight: Record<string, number>;
  /** The most that ran at once, per model. */
  maxInFlight: Record<string, number>;
  /** Responses whose connection closed before they were complete (client abort, cut). */
  closedEarly: number;
  completed: number;
  /** The latest requests (up to 500), oldest first. */
  log: { seq: number; endpoint: string; model?: string; status: number; fault?: string; closedEarly: boolean; startedAt: number; endedAt?: number }[];
}

const LOG_SIZE = 500;
/** `keep_alive` < 0: loaded for good (Date can hold about 292 years from now). */
const FOREVER_MS = 292 * 365 * 24 * 3600 * 1000;

function emptyStats(): SimStats {
  return { requests: {}, byModel: {}, inFlight: {}, maxInFlight: {}, closedEarly: 0, completed: 0, log: [] };
}

/** A model name as Ollama reads it (`:latest` when untagged); "" for anything else. */
export function resolveModelName(name: unknown): string {
  return typeof name === "string" && name ? normalizeModelName(name) : "";
}

export class SimState {
  readonly installed: Set<string>;
  /** loaded models and when they unload (ms since the epoch) */
  loaded = new Map<string, number>();
  private attempts = new Map<string, number>();
  private faultCounters = new Map<string, number>();
  private rules: FaultRule[];
  stats: SimStats = emptyStats();
  private seq = 0;

  constructor(
    readonly catalogue: ReadonlyMap<string, SimModel>,
    readonly settings: { seed: number; timeScale: number; faults: FaultRule[]; loaded: readonly string[]; models?: readonly string[] },
  ) {
    this.installed = new Set((settings.models ?? [...catalogue.keys()]).map(resolveModelName));
    for (const m of this.installed) if (!catalogue.has(m)) throw new Error(`the simulator has no profile for model "${m}"`);
    this.rules = validateRules(settings.faults);
    this.loadInitially();
  }

  get seed() {
    return this.settings.seed;
  }

  get timeScale() {
    return this.settings.timeScale;
  }

  get faultRules(): readonly FaultRule[] {
    return this.rules;
  }

  /** Replaces the fault rules (validated: a bad rule throws and changes nothing). */
  setFaults(rules: unknown) {
    this.rules = validateRules(rules);
  }

  /** Forgets loaded models, attempt counters and statistics. */
  reset() {
    this.loadInitially();
    this.attempts = new Map();
    this.faultCounters = new Map();
    this.stats = emptyStats();
  }

  private loadInitially() {
    this.loaded = new Map(this.settings.loaded.map((m) => [resolveModelName(m), Date.now() + DEFAULT_KEEP_ALIVE_MS]));
  }

  /** An installed model by any spelling of its name. */
  lookup(name: unknown): SimModel | undefined {
    const n = resolveModelName(name);
    return this.installed.has(n) ? this.catalogue.get(n) : undefined;
  }

  isLoaded(model: string): boolean {
    return (this.loaded.get(model) ?? 0) > Date.now();
  }

  keepLoaded(model: string, keepAliveMs: number) {
    this.loaded.set(model, keepAliveMs === Infinity ? Date.now() + FOREVER_MS : Date.now() + keepAliveMs);
  }

  /** Which attempt at this prompt this is for the model (0 the first time). */
  nextAttempt(model: string, prompt: string): number {
    const key = `${model}\u0000${prompt}`;
    const attempt = this.attempts.get(key) ?? 0;
    this.attempts.set(key, attempt + 1);
    return attempt;
  }

  /** The fault for this request to the model, if any (an `x-sim-fault` header, or the rules). */
  nextFault(req: http.IncomingMessage, model: string): Fault | undefined {
    const counter = (this.faultCounters.get(model) ?? 0) + 1;
    this.faultCounters.set(model, counter);
    const header = req.headers["x-sim-fault"];
    return chooseFault({ header: Array.isArray(header) ? header[0] : header, rules: this.rules, model, seed: this.seed, counter, normalize: resolveModelName });
  }

  /** Counts a request and tracks it until its response closes. */
  track(res: http.ServerResponse, endpoint: string, model: string | undefined, generation: boolean, fault?: Fault) {
    const current = this.stats;
    current.requests[endpoint] = (current.requests[endpoint] ?? 0) + 1;
    const entry: SimStats["log"][number] = {
      seq: ++this.seq,
      endpoint,
      model,
      status: 0,
      fault: fault ? ("n" in fault ? `${fault.kind}:${fault.n}` : fault.kind) : undefined,
      closedEarly: false,
      startedAt: Date.now(),
    };
    current.log.push(entry);
    if (current.log.length > LOG_SIZE) current.log.shift();
    if (model) {
      const per = (current.byModel[model] ??= {});
      per[endpoint] = (per[endpoint] ?? 0) + 1;
      if (generation) {
        current.inFlight[model] = (current.inFlight[model] ?? 0) + 1;
        current.maxInFlight[model] = Math.max(current.maxInFlight[model] ?? 0, current.inFlight[model]);
      }
    }
    res.on("close", () => {
      entry.status = res.statusCode;
      entry.endedAt = Date.now();
      entry.closedEarly = !res.writableFinished;
      if (entry.closedEarly) current.closedEarly++;
      else current.completed++;
      if (model && generation) current.inFlight[model]--;
    });
  }
}
