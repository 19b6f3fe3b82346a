/**
 * The neighbours voter's index for the replay benchmark: past requests with known outcomes
 * (embedding, the task type they were routed as, a weight from their outcome). The vote
 * itself is the real `voteOfNeighbours`; this only decides WHICH examples it looks at.
 *
 * - Up to `bruteForceBelow` examples: all of them (exact k-NN, as the production query does).
 * - Above: random-hyperplane LSH (SimHash). `tables` hash tables of `bits` signs each; every
 *   bucket keeps only its `perBucket` most recent examples, so a query scores at most
 *   tables × perBucket candidates whatever the index size (approximate k-NN, bounded time).
 * - The candidates are scored with an inlined cosine over the Float32 store and only the k
 *   nearest at or above the vote's minimum similarity are handed to it, with the similarity
 *   just computed (production hands it pgvector's distance the same way): the same
 *   examples it would keep itself from the whole candidate list, without an object each.
 * - Storage is a ring buffer of `capacity` Float32 vectors; an overwritten slot is dropped
 *   from the buckets lazily (each bucket entry remembers the insertion it points to).
 */
import { voteOfNeighbours, type LabelledEmbedding, type NeighbourExample, type NeighbourVote } from "../../lib/learning/ensemble";
import type { TaskType } from "../../lib/domain";
import { seededRng } from "../../lib/learning/random";

export type NeighbourIndexOptions = {
  dim?: number;
  capacity?: number;
  tables?: number;
  bits?: number;
  perBucket?: number;
  bruteForceBelow?: number;
  seed?: number;
};

export class NeighbourIndex {
  readonly dim: number;
  readonly capacity: number;
  readonly tables: number;
  readonly bits: number;
  readonly perBucket: number;
  readonly bruteForceBelow: number;
  private readonly vectors: Float32Array;
  private readonly taskTypes: TaskType[] = [];
  private readonly weights: Float32Array;
  /** who answered each held request and the reward it earned (for contextual routing) */
  private readonly models: string[] = [];
  private readonly rewards: Float32Array;
  /** insertion number stored in each slot (for lazy eviction from buckets) */
  private readonly insertion: Float64Array;
  /** per hyperplane (table × bit), `planeSize` coordinates and their signs: a very sparse random projection */
  private readonly planeDims: Int32Array;
  private readonly planeSigns: Float32Array;
  private readonly planeSize: number;
  private readonly norms: Float32Array;
  /** The query, copied once into a typed array so every loop over it reads one kind of array. */
  private readonly q: Float32Array;
  private readonly buckets: Map<number, number[]>[];
  private readonly seen: Float64Array;
  private inserted = 0;
  private queries = 0;

  constructor({ dim = 768, capacity = 16_384, tables = 8, bits = 10, perBucket = 24, bruteForceBelow = 2048, seed = 12345 }: NeighbourIndexOptions = {}) {
    if (bits > 30) throw new Error("at most 30 bits per table");
    this.dim = dim;
    this.capacity = capacity;
    this.tables = tables;
    this.bits = bits;
    this.perBucket = perBucket;
    this.bruteForceBelow = bruteForceBelow;
    this.vectors = new Float32Array(capacity * dim);
    this.weights = new Float32Array(capacity);
    this.rewards = new Float32Array(capacity).fill(Number.NaN);
    this.norms = new Float32Array(capacity);
    this.seen = new Float64Array(capacity);
    this.insertion = new Float64Array(capacity).fill(-1);
    const rng = seededRng(seed);
    // Very sparse random projections (Li, Hastie & Church 2006): ±1 on √dim coordinates per
    // hyperplane keeps the sign-of-projection hash's angle estimate, at a √dim-th of the cost.
    this.planeSize = Math.ceil(Math.sqrt(dim));
    this.planeDims = new Int32Array(tables * bits * this.planeSize);
    this.planeSigns = new Float32Array(tables * bits * this.planeSize);
    for (let i = 0; i < this.planeDims.length; i++) {
      this.planeDims[i] = Math.floor(rng() * dim);
      this.planeSigns[i] = rng() < 0.5 ? -1 : 1;
    }
    this.buckets = Array.from({ length: tables }, () => new Map<number, number[]>());
    this.q = new Float32Array(dim);
  }

  /** Examples held (at most `capacity`). */
  get size(): number {
    return Math.min(this.inserted, this.capacity);
  }

  /** Examples ever added. */
  get added(): number {
    return this.inserted;
  }

  private signatures(v: Float32Array): number[] {
    const { bits, planeDims, planeSigns, planeSize } = this;
    const out: number[] = [];
    for (let t = 0; t < this.tables; t++) {
      let key = 0;
      for (let b = 0; b < bits; b++) {
        const off = (t * bits + b) * planeSize;
        let dot = 0;
        for (let i = off; i < off + planeSize; i++) dot += v[planeDims[i]] * planeSigns[i];
        if (dot >= 0) key |= 1 << b;
      }
      out.push(key);
    }
    return out;
  }

  /**
   * Holds one past request: its label for the neighbours voter (weight 0: no confirmed label,
   * so it never votes) and, optionally, the model that answered and its reward.
   */
  add(embedding: ArrayLike<number>, taskType: TaskType, weight = 1, outcome?: { model: string; reward: number }): void {
    if (embedding.length !== this.dim) throw new Error(`embedding has ${embedding.length} dimensions, index ${this.dim}`);
    const slot = this.inserted % this.capacity;
    this.vectors.set(embedding, slot * this.dim);
    let nn = 0;
    for (let i = slot * this.dim; i < (slot + 1) * this.dim; i++) nn += this.vectors[i] * this.vectors[i];
    this.norms[slot] = Math.sqrt(nn);
    this.taskTypes[slot] = taskType;
    this.weights[slot] = weight;
    this.models[slot] = outcome?.model ?? "";
    this.rewards[slot] = outcome ? outcome.reward : Number.NaN;
    this.insertion[slot] = this.inserted;
    const sig = this.signatures(this.vectors.subarray(slot * this.dim, (slot + 1) * this.dim));
    for (let t = 0; t < this.tables; t++) {
      const m = this.buckets[t];
      let list = m.get(sig[t]);
      if (!list) m.set(sig[t], (list = []));
      list.push(this.inserted);
      if (list.length > this.perBucket) list.shift();
    }
    this.inserted++;
  }

  private example(slot: number): LabelledEmbedding {
    // cosineSimilarity only indexes and reads .length: a Float32Array view serves as the vector.
    const embedding = this.vectors.subarray(slot * this.dim, (slot + 1) * this.dim) as unknown as number[];
    return { embedding, taskType: this.taskTypes[slot], weight: this.weights[slot] };
  }

  /** Slots to score: all while the index is small (or `exact`), else the query's LSH buckets. */
  private candidateSlots(query: Float32Array, exact: boolean): number[] {
    const n = this.size;
    if (exact || n <= this.bruteForceBelow) return Array.from({ length: n }, (_, s) => s);
    const out: number[] = [];
    const stamp = ++this.queries;
    const sig = this.signatures(query);
    for (let t = 0; t < this.tables; t++) {
      for (const ins of this.buckets[t].get(sig[t]) ?? []) {
        const slot = ins % this.capacity;
        if (this.insertion[slot] !== ins || this.seen[slot] === stamp) continue; // overwritten, or already taken
        this.seen[slot] = stamp;
        out.push(slot);
      }
    }
    return out;
  }

  /** How many examples a query would score. */
  candidateCount(query: ArrayLike<number>, { exact = false }: { exact?: boolean } = {}): number {
    this.q.set(query);
    return this.candidateSlots(this.q, exact).length;
  }

  /**
   * One pass over the query's candidates (its LSH buckets, or all while small): the k most
   * similar labelled examples at or above `minSimilarity` (exactly those voteOfNeighbours
   * would keep), and the `kOutcomes` most similar held requests with an outcome (for
   * contextual routing), most similar first. Cosine inlined over the Float32 store.
   */
  query(
    query: ArrayLike<number>,
    { exact = false, k = 7, minSimilarity = 0.5, kOutcomes = 0 }: { exact?: boolean; k?: number; minSimilarity?: number; kOutcomes?: number } = {},
  ): { examples: (NeighbourExample & { slot: number })[]; outcomes: { model: string; reward: number; similarity: number }[] } {
    const { dim, vectors, q } = this;
    q.set(query);
    let qq = 0;
    for (let i = 0; i < dim; i++) qq += q[i] * q[i];
    const qn = Math.sqrt(qq);
    if (qn === 0) return { examples: [], outcomes: [] };
    const labelled = new TopK(k);
    const withOutcome = new TopK(kOutcomes);
    for (const slot of this.candidateSlots(q, exact)) {
      if (this.norms[slot] === 0) continue;
      const voting = this.weights[slot] > 0;
      const hasOutcome = kOutcomes > 0 && !Number.isNaN(this.rewards[slot]);
      if (!voting && !hasOutcome) continue;
      const sim = dotAt(q, vectors, slot * dim, dim) / (qn * this.norms[slot]);
      if (voting && sim >= minSimilarity) labelled.offer(slot, sim);
      if (hasOutcome) withOutcome.offer(slot, sim);
    }
    return {
      examples: labelled.slots.map((slot, i) => ({ slot, similarity: labelled.sims[i], taskType: this.taskTypes[slot], weight: this.weights[slot] })),
      outcomes: withOutcome.slots.map((s, i) => ({ model: this.models[s], reward: this.rewards[s], similarity: withOutcome.sims[i] })),
    };
  }

  /** The k most similar labelled examples at or above `minSimilarity`, most similar first. */
  nearest(query: ArrayLike<number>, opts: { exact?: boolean; k?: number; minSimilarity?: number } = {}): LabelledEmbedding[] {
    return this.query(query, opts).examples.map((e) => this.example(e.slot));
  }

  /** The k most similar held requests that have an outcome: model, reward, similarity (most similar first). */
  nearestOutcomes(query: ArrayLike<number>, { exact = false, k = 20 }: { exact?: boolean; k?: number } = {}) {
    return this.query(query, { exact, k: 0, kOutcomes: k }).outcomes;
  }

  /** The real neighbours voter (voteOfNeighbours) over the nearest candidates. */
  vote(query: readonly number[], { exact = false, k = 7 }: { exact?: boolean; k?: number } = {}): NeighbourVote | null {
    return voteOfNeighbours(this.query(query, { exact, k }).examples, k);
  }

  /** The neighbours vote and the nearest outcomes from one pass. */
  voteAndOutcomes(query: readonly number[], { k = 7, kOutcomes = 20 }: { k?: number; kOutcomes?: number } = {}) {
    const r = this.query(query, { k, kOutcomes });
    return { vote: voteOfNeighbours(r.examples, k), outcomes: r.outcomes };
  }

  /** All held examples, for checks against the plain voter. */
  examples(): LabelledEmbedding[] {
    return Array.from({ length: this.size }, (_, s) => this.example(s));
  }
}

/**
 * q · store[off, off + dim): four running sums, so the loop is not one long chain of
 * dependent additions (about twice as fast over a large, randomly read store).
 */
function dotAt(q: Float32Array, store: Float32Array, off: number, dim: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let i = 0;
  for (; i + 3 < dim; i += 4) {
    a += q[i] * store[off + i];
    b += q[i + 1] * store[off + i + 1];
    c += q[i + 2] * store[off + i + 2];
    d += q[i + 3] * store[off + i + 3];
  }
  for (; i < dim; i++) a += q[i] * store[off + i];
  return a + b + c + d;
}

/** The k largest by similarity, kept sorted (most similar first). */
class TopK {
  readonly slots: number[] = [];
  readonly sims: number[] = [];
  constructor(private readonly k: number) {}
  offer(slot: number, sim: number): void {
    const { k, sims, slots } = this;
    if (k <= 0 || (sims.length === k && sim <= sims[k - 1])) return;
    let at = sims.length;
    while (at > 0 && sims[at - 1] < sim) at--;
    sims.splice(at, 0, sim);
    slots.splice(at, 0, slot);
    if (sims.length > k) (sims.pop(), slots.pop());
  }
}
