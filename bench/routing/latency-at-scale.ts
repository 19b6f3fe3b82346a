/**
 * Decision latency with `recorded` past outcomes: the neighbour index and the policy are
 * pre-filled, then one pass of the prompts is routed (and learned from) and timed.
 */
import os from "node:os";
import { taskClassifier } from "../../lib/learning/shipped-task-classifier";
import { updatePolicy } from "../../lib/learning/policy";
import { sampleNormal, seededRng, type Rng } from "../../lib/learning/random";
import { embeddingCache, latencyStats, requestOrder, type LatencyStats, type ReplaySettings } from "./replay";
import { ReplayRouter } from "./replay-router";
import type { World } from "./world";

export type ScaleResult = {
  recorded: number;
  indexSize: number;
  prefillSeconds: number;
  /** every timed decision (each request is decided `repeats` times; the last one is acted on) */
  decisionMs: LatencyStats;
  /** per request, the fastest of its `repeats` timings: the cost without preemption by other processes */
  decisionMinOfRepeatsMs: LatencyStats;
  repeats: number;
  /** 1-minute load average before and after the timed pass (the host's other work shows up in p99) */
  loadAverage: [number, number];
  cpus: number;
  /** the neighbour vote alone (LSH candidates + classifyByNeighbours) */
  neighbourMs: LatencyStats;
  bruteForce: { queries: number; neighbourMs: LatencyStats; sameTaskType: number; bothNull: number };
  lsh: { tables: number; bits: number; perBucket: number; meanCandidates: number };
};

/** A paraphrase in embedding space: v + noise, renormalised (cosine to v about 0.64–0.89). */
function perturbed(v: readonly number[], rng: Rng, out: Float32Array): Float32Array {
  const sigma = 0.5 + 0.7 * rng();
  const scale = sigma / Math.sqrt(v.length);
  let norm = 0;
  for (let i = 0; i < v.length; i++) {
    out[i] = v[i] + scale * sampleNormal(rng);
    norm += out[i] * out[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < v.length; i++) out[i] /= norm;
  return out;
}

export function latencyAtScale(
  world: World,
  settings: ReplaySettings,
  {
    recorded = 100_000,
    bruteForceQueries = 30,
    repeats = 3,
    embeddings = embeddingCache(world, settings.embed),
  }: { recorded?: number; bruteForceQueries?: number; repeats?: number; embeddings?: ReturnType<typeof embeddingCache> } = {},
): ScaleResult {
  const seed = settings.seed;
  const started = performance.now();
  const capacity = Math.max(settings.neighbours.capacity ?? 0, recorded + world.items.length * settings.passes + 1);
  const router = new ReplayRouter(world.roles, { ...settings, neighbours: { ...settings.neighbours, capacity } }, seed + 1000);
  const rng = seededRng(seed * 977 + 5);
  const available = world.items.map((_, i) => world.models.filter((m) => world.prob(i, m) !== undefined));
  const featureType = world.items.map((it) => taskClassifier().classify(it.prompt).taskType);
  const buf = new Float32Array(router.index.dim);
  // Past outcomes: a paraphrase of a random prompt, routed as the features say, to a random
  // available model, with a drawn outcome.
  for (let r = 0; r < recorded; r++) {
    const i = Math.floor(rng() * world.items.length);
    const model = available[i][Math.floor(rng() * available[i].length)];
    const reward = rng() < world.prob(i, model)! ? 1 : 0;
    router.policy = updatePolicy(router.policy, { taskType: featureType[i], model, reward, now: r }, settings.policy);
    router.index.add(perturbed(embeddings.get(i), rng, buf), featureType[i], reward ? 1 : settings.failureWeight);
  }
  const prefillSeconds = (performance.now() - started) / 1000;

  const order = requestOrder(world.items.length, settings.passes, seed + 1);
  const decisionMs: number[] = [];
  const minMs: number[] = [];
  const neighbourMs: number[] = [];
  let candidates = 0;
  const load0 = os.loadavg()[0];
  order.forEach((i, step) => {
    const e = embeddings.get(i);
    let d = router.decide(world.items[i].prompt, e, available[i], recorded + step);
    let fastest = d.decisionMs;
    decisionMs.push(d.decisionMs);
    for (let r = 1; r < repeats; r++) {
      d = router.decide(world.items[i].prompt, e, available[i], recorded + step);
      decisionMs.push(d.decisionMs);
      fastest = Math.min(fastest, d.decisionMs);
    }
    minMs.push(fastest);
    const t0 = performance.now();
    router.index.vote(e, { k: settings.k });
    neighbourMs.push(performance.now() - t0);
    candidates += router.index.candidateCount(e);
    router.learn(d, e, rng() < world.prob(i, d.model)! ? 1 : 0, recorded + step);
  });

  const load1 = os.loadavg()[0];
  // Exact k-NN over the whole index for a few queries: its cost, and how often the LSH vote agrees.
  const bf: number[] = [];
  let same = 0;
  let bothNull = 0;
  const q = order.slice(0, bruteForceQueries);
  for (const i of q) {
    const e = embeddings.get(i);
    const t0 = performance.now();
    const exact = router.index.vote(e, { exact: true, k: settings.k });
    bf.push(performance.now() - t0);
    const approx = router.index.vote(e, { k: settings.k });
    if (exact?.taskType === approx?.taskType) same++;
    if (!exact && !approx) bothNull++;
  }
  const ix = router.index;
  return {
    recorded,
    indexSize: ix.size,
    prefillSeconds: Math.round(prefillSeconds * 10) / 10,
    decisionMs: latencyStats(decisionMs),
    decisionMinOfRepeatsMs: latencyStats(minMs),
    repeats,
    loadAverage: [Math.round(load0 * 100) / 100, Math.round(load1 * 100) / 100],
    cpus: os.cpus().length,
    neighbourMs: latencyStats(neighbourMs),
    bruteForce: { queries: q.length, neighbourMs: latencyStats(bf), sameTaskType: q.length ? same / q.length : Number.NaN, bothNull },
    lsh: { tables: ix.tables, bits: ix.bits, perBucket: ix.perBucket, meanCandidates: Math.round(candidates / order.length) },
  };
}
