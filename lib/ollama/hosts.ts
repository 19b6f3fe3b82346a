import {
  ModelMissingError,
  NoHealthyHostError,
  OllamaError,
  OllamaTimeoutError,
  isHostFailure,
} from "./errors";
import { normalizeModel } from "@/lib/domain/model-tag";
import { mapError, openCall, type Call } from "./transport";
import type { HostHealth, HostModels, LoadedModel } from "./types";

export interface Cached<T> {
  at: number;
  value: T;
}

export interface HostState {
  url: string;
  failures: number[];
  coolingUntil: number;
  halfOpen: boolean;
  inFlight: number;
  tags?: Cached<Set<string>>;
  tagsLoading?: Promise<Set<string>>;
  ps?: Cached<Set<string>>;
  psLoading?: Promise<Set<string>>;
}


export interface HostSettings {
  metadataMs: number;
  failuresPerMinute: number;
  cooldownMs: number;
  tagsMs: number;
  psMs: number;
}

/**
 * The Ollama hosts of a pool and what is known of each: a circuit breaker (failures in the
 * last minute → cool-down → half-open), cached inventories (/api/tags, /api/ps), and the
 * choice of a host for a model. Every call to a host goes through `call`, which times it out,
 * maps its errors and records failures against the host.
 */
export class OllamaHosts {
  readonly list: HostState[];
  private roundRobin = 0;

  constructor(
    urls: readonly string[],
    private readonly cfg: HostSettings,
    private readonly fetchImpl: typeof fetch,
    private readonly now: () => number,
  ) {
    this.list = [...new Set(urls.map((h) => h.replace(/\/+$/, "")))].map((url) => ({ url, failures: [], coolingUntil: 0, halfOpen: false, inFlight: 0 }));
  }

  // ---------------------------------------------------------------- health and cool-down

  /** Available unless cooling down; a host whose cool-down ended is half-open: one failure sends it back. */
  available(h: HostState): boolean {
    if (!h.coolingUntil) return true;
    if (this.now() < h.coolingUntil) return false;
    h.coolingUntil = 0;
    h.halfOpen = true;
    return true;
  }

  recordFailure(h: HostState) {
    const t = this.now();
    h.failures = h.failures.filter((x) => t - x < 60_000);
    h.failures.push(t);
    if (h.halfOpen || h.failures.length >= this.cfg.failuresPerMinute) {
      h.coolingUntil = t + this.cfg.cooldownMs;
      h.failures = [];
      h.halfOpen = false;
      h.tags = h.ps = undefined;
    }
  }

  recordSuccess(h: HostState) {
    h.halfOpen = false;
  }

  /** The error to record against a host, if it says something about the host. */
  judge(h: HostState, e: unknown): unknown {
    if (isHostFailure(e)) this.recordFailure(h);
    return e;
  }

  // ---------------------------------------------------------------- one call to one host

  /** Runs `fn` against a host with a time limit and the caller's signal, mapping errors. */
  async call<T>(
    h: HostState,
    fn: (call: Call) => Promise<T>,
    opts: { model?: string; timeoutMs?: number; signal?: AbortSignal; record?: boolean; probe?: boolean } = {},
  ): Promise<T> {
    opts.signal?.throwIfAborted();
    const call = openCall({ host: h.url, fetch: this.fetchImpl, ndjson: false });
    const timeoutMs = opts.timeoutMs ?? this.cfg.metadataMs;
    const timer = setTimeout(() => call.abort(new OllamaTimeoutError("total", timeoutMs, { host: h.url, model: opts.model })), timeoutMs);
    const onAbort = () => call.abort(opts.signal?.reason);
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const out = await fn(call);
      // A metadata probe answering does not prove the host can serve models again.
      if (!opts.probe) this.recordSuccess(h);
      return out;
    } catch (e) {
      const err = mapError(e, call, { host: h.url, model: opts.model });
      throw opts.record === false ? err : this.judge(h, err);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    }
  }

  tagsOf(h: HostState, force = false): Promise<Set<string>> {
    return this.inventory(h, "tags", this.cfg.tagsMs, force, (c) => c.client.list());
  }

  psOf(h: HostState): Promise<Set<string>> {
    return this.inventory(h, "ps", this.cfg.psMs, false, (c) => c.client.ps());
  }

  /** A host's cached model list (/api/tags or /api/ps), one request at a time, refreshed after `ttlMs`. */
  private inventory(h: HostState, kind: "tags" | "ps", ttlMs: number, force: boolean, list: (c: Call) => Promise<{ models: { name: string }[] }>): Promise<Set<string>> {
    const cached = h[kind];
    if (!force && cached && this.now() - cached.at < ttlMs) return Promise.resolve(cached.value);
    const loading = kind === "tags" ? "tagsLoading" : "psLoading";
    h[loading] ??= this.call(h, list, { probe: true })
      .then((r) => {
        const value = new Set(r.models.map((m) => normalizeModel(m.name)));
        h[kind] = { at: this.now(), value };
        return value;
      })
      .finally(() => (h[loading] = undefined));
    return h[loading];
  }

  /**
   * A host for the model: not cooling down, has it (cached /api/tags, refreshed when the
   * model is not listed), preferring hosts where it is loaded (/api/ps), then the least busy.
   */
  async pickHost(model: string, exclude: ReadonlySet<string> = new Set()): Promise<HostState> {
    const key = normalizeModel(model);
    const open = this.list.filter((h) => !exclude.has(h.url) && this.available(h));
    if (!open.length) {
      throw new NoHealthyHostError(
        this.list.map((h) => ({
          host: h.url,
          coolingDownUntil: h.coolingUntil ? new Date(h.coolingUntil) : undefined,
          reason: exclude.has(h.url) ? "failed for this request" : undefined,
        })),
        { model },
      );
    }
    const errors: unknown[] = [];
    const look = async (hosts: HostState[], force: boolean) =>
      (
        await Promise.all(
          hosts.map((h) =>
            this.tagsOf(h, force).then(
              (tags) => ({ h, has: tags.has(key), ok: true }),
              (e: unknown) => (errors.push(e), { h, has: false, ok: false }),
            ),
          ),
        )
      ).filter((x) => x.ok);
    let reachable = await look(open, false);
    // Not listed anywhere: maybe pulled since; ask the reachable hosts again before giving up.
    if (!reachable.some((x) => x.has) && reachable.length) reachable = await look(reachable.map((x) => x.h), true);
    const having = reachable.filter((x) => x.has).map((x) => x.h);
    if (!having.length) {
      if (!reachable.length) throw errors.find((e) => e instanceof OllamaError) ?? errors[0];
      throw new ModelMissingError(model, { host: open.length === 1 ? open[0].url : undefined });
    }
    let candidates = having;
    if (having.length > 1) {
      const loaded = await Promise.all(having.map((h) => this.psOf(h).then((s) => s.has(key), () => false)));
      const warm = having.filter((_, i) => loaded[i]);
      if (warm.length) candidates = warm;
    }
    const least = Math.min(...candidates.map((h) => h.inFlight));
    const idle = candidates.filter((h) => h.inFlight === least);
    return idle[this.roundRobin++ % idle.length];
  }

  // ---------------------------------------------------------------- inventory and health

  /** Installed models per host, and merged (name → hosts). */
  async listModels(): Promise<{ hosts: HostModels[]; models: { name: string; hosts: string[] }[] }> {
    const hosts = await Promise.all(
      this.list.map(async (h): Promise<HostModels> => {
        try {
          return { host: h.url, ok: true, models: [...(await this.tagsOf(h, true))].sort() };
        } catch (e) {
          return { host: h.url, ok: false, models: [], error: e instanceof Error ? e.message : String(e) };
        }
      }),
    );
    const merged = new Map<string, string[]>();
    for (const h of hosts) for (const m of h.models) merged.set(m, [...(merged.get(m) ?? []), h.host]);
    return { hosts, models: [...merged].map(([name, on]) => ({ name, hosts: on })).sort((a, b) => a.name.localeCompare(b.name)) };
  }

  /** Models loaded in memory now (/api/ps), on every reachable host. */
  async loadedModels(): Promise<LoadedModel[]> {
    const perHost = await Promise.all(
      this.list.map((h) =>
        this.call(h, (c) => c.client.ps(), { record: false, probe: true }).then(
          (r) => {
            h.ps = { at: this.now(), value: new Set(r.models.map((m) => normalizeModel(m.name))) };
            return r.models.map(
              (m): LoadedModel => ({
                host: h.url,
                name: m.name,
                expiresAt: new Date(m.expires_at),
                sizeVram: m.size_vram,
                contextLength: (m as { context_length?: number }).context_length,
              }),
            );
          },
          () => [] as LoadedModel[],
        ),
      ),
    );
    return perHost.flat();
  }

  async version(host: string): Promise<{ version: string; simulator: boolean }> {
    const h = this.list.find((x) => x.url === host.replace(/\/+$/, "")) ?? { url: host, failures: [], coolingUntil: 0, halfOpen: false, inFlight: 0 };
    const r = (await this.call(h, (c) => c.client.version(), { record: false, probe: true })) as { version: string; simulator?: boolean };
    return { version: r.version, simulator: r.simulator === true };
  }

  /** Every host's version (and whether it is the simulator) and cool-down; never throws. */
  async health(): Promise<HostHealth[]> {
    return Promise.all(
      this.list.map(async (h): Promise<HostHealth> => {
        const cooling = h.coolingUntil > this.now() ? new Date(h.coolingUntil) : undefined;
        try {
          const v = await this.version(h.url);
          return { host: h.url, ok: !cooling, version: v.version, simulator: v.simulator, coolingDownUntil: cooling };
        } catch (e) {
          return { host: h.url, ok: false, simulator: false, error: e instanceof Error ? e.message : String(e), coolingDownUntil: cooling };
        }
      }),
    );
  }
}
