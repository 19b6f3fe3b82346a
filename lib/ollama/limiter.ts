import { OllamaTimeoutError } from "./errors";

interface Waiter {
  grant: () => void;
}

interface Lane {
  active: number;
  queue: Waiter[];
}

/**
 * At most `limit` holders per key; the rest wait first come, first served. A waiter leaves the
 * queue when its signal aborts or after `queueTimeoutMs` (an OllamaTimeoutError, phase "queue").
 * A caller may wait less (`maxWaitMs`; 0: only a slot free now, else that error at once).
 */
export class KeyedLimiter {
  private readonly lanes = new Map<string, Lane>();

  constructor(
    private readonly limit: number,
    private readonly queueTimeoutMs = Infinity,
  ) {
    if (!(limit >= 1)) throw new Error("perModelConcurrency must be at least 1");
  }

  /** Resolves with a release function (safe to call twice) once the caller holds a slot. */
  acquire(key: string, signal?: AbortSignal, { maxWaitMs = Infinity }: { maxWaitMs?: number } = {}): Promise<() => void> {
    signal?.throwIfAborted();
    const waitMs = Math.min(this.queueTimeoutMs, Math.max(0, maxWaitMs));
    const free = (this.lanes.get(key)?.active ?? 0) < this.limit && !this.lanes.get(key)?.queue.length;
    if (!free && waitMs === 0) return Promise.reject(new OllamaTimeoutError("queue", 0, { model: key }));
    const lane = this.lanes.get(key) ?? { active: 0, queue: [] };
    this.lanes.set(key, lane);
    if (free) {
      lane.active++;
      return Promise.resolve(this.releaser(key, lane));
    }
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const leave = () => {
        const i = lane.queue.indexOf(waiter);
        if (i >= 0) lane.queue.splice(i, 1);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.cleanup(key, lane);
      };
      const onAbort = () => {
        leave();
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: () => {
          lane.active++; // before leave(), so the lane is not dropped as idle
          leave();
          resolve(this.releaser(key, lane));
        },
      };
      lane.queue.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (Number.isFinite(waitMs)) {
        timer = setTimeout(() => {
          leave();
          reject(new OllamaTimeoutError("queue", waitMs, { model: key }));
        }, waitMs);
      }
    });
  }

  /** Holders and waiters per key, for health pages and tests. */
  snapshot(): Record<string, { active: number; queued: number }> {
    return Object.fromEntries([...this.lanes].map(([k, l]) => [k, { active: l.active, queued: l.queue.length }]));
  }

  private releaser(key: string, lane: Lane): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      lane.active--;
      const next = lane.queue[0];
      if (next) next.grant();
      else this.cleanup(key, lane);
    };
  }

  private cleanup(key: string, lane: Lane) {
    if (lane.active === 0 && lane.queue.length === 0) this.lanes.delete(key);
  }
}
