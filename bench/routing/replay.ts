/**
 * The replay benchmark's engine (issue 4, item 11). Replays prompts in a seeded order through
 * the real classification (the trained task classifier + classifyByNeighbours over embeddings of past
 * requests with known outcomes + combineVotes with learned voter weights), the real routing
 * (decideRoute, the function production plans with) and the real learning (updatePolicy with the drawn outcome as reward,
 * updateVoterWeights). The chosen model's outcome is a Bernoulli draw with probability
 * `prob(item, model)`: a label's score, or a simulated role's skill.
 *
 * The router sees only the prompt text (and which models are available for the item). An
 * item's `category` is used for the report and the per-category oracle, never for routing.
 *
 * Baselines on the same requests and the same draws (common random numbers): random, static
 * role routing (only when every model has a role), textbook Thompson sampling per request type
 * (`typeThompson`, bench/routing/type-thompson.ts), the best single model, the per-category oracle and the
 * per-item oracle. "Best single model" and "per-category oracle" are fixed
 * rankings of models by mean probability (over the items a model is available for; within
 * the category for the latter); an item goes to the highest-ranked model available for it,
 * which is plain "always model X" whenever X is available everywhere.
 */
import os from "node:os";
import { simEmbed } from "../../sim/embed";
import { DEFAULT_ROLE_MODELS, defaultChain, type Role, type TaskType } from "../../lib/domain";
import { taskClassifier } from "../../lib/learning/shipped-task-classifier";
import { DEFAULT_VOTER_WEIGHTS, combineVotes, updateVoterWeights, votesFrom, type Vote, type VoterWeights } from "../../lib/learning/ensemble";
import { DEFAULT_POLICY_OPTIONS, EMPTY_POLICY, updatePolicy, type PolicyCandidate, type PolicyOptions, type PolicyState } from "../../lib/learning/policy";
import { decideRoute } from "../../lib/learning/route-decision";
import { contextEvidence } from "../../lib/learning/context-evidence";
import { EMPTY_FALLBACK_STATS } from "../../lib/learning/fallback";
import { sampleNormal, seededRng, shuffled, type Rng } from "../../lib/learning/random";
import { NeighbourIndex, type NeighbourIndexOptions } from "./neighbour-index";
import { TypeThompson } from "./type-thompson";
import type { BenchPrompt, ModelProfiles } from "./data";

// ---------------------------------------------------------------------------------------
// The world: items, candidate models, who is available, how likely each answer is good.

export type WorldItem = { id: string; prompt: string; category: string | null };

export type World = {
  kind: "simulated" | "labels";
  items: WorldItem[];
  models: string[];
  /** a model's role (its prior); null: no role, a neutral prior */
  roles: Record<string, Role | null>;
  /** probability that `model` answers item `i` well at request number `step` (default: the start); undefined: unavailable for it */
  prob: (i: number, model: string, step?: number) => number | undefined;
  /** the task type a user would confirm for item `i` (its category's), null when unknown */
  truth: (i: number) => TaskType | null;
  /** notes for the report (ignored labels, …) */
  notes: string[];
};

const itemsOf = (prompts: readonly BenchPrompt[]): WorldItem[] => prompts.map((p) => ({ id: p.id, prompt: p.prompt, category: p.category ?? null }));

/**
 * Roles: an explicit `name=role` wins; else the role a known default model plays (the
 * simulated profiles' names, DEFAULT_ROLE_MODELS' tags); else none.
 */
export function resolveRoles(models: readonly string[], explicit: Record<string, Role> = {}, profiles?: ModelProfiles): Record<string, Role | null> {
  const byTag = new Map<string, Role>(Object.entries(DEFAULT_ROLE_MODELS).map(([r, m]) => [m, r as Role]));
  return Object.fromEntries(models.map((m) => [m, explicit[m] ?? (profiles?.simulated[m]?.role as Role | undefined) ?? byTag.get(m) ?? null]));
}

/** The five simulated roles (or the `models` named), with skills from model-profiles.json. */
export function simulatedWorld(prompts: readonly BenchPrompt[], profiles: ModelProfiles, { models, roles }: { models?: string[]; roles?: Record<string, Role> } = {}): World {
  const names = models ?? Object.keys(profiles.simulated);
  for (const m of names) if (!profiles.simulated[m]) throw new Error(`no simulated profile for model ${m} (without --labels, models must be in model-profiles.json)`);
  const items = itemsOf(prompts);
  const types = items.map((it) => {
    if (it.category === null) throw new Error(`prompt ${it.id} has no category: without --labels the simulated models need one`);
    const t = profiles.benchmark_category_map[it.category];
    if (!t) throw new Error(`prompt ${it.id}: category ${it.category} is not in benchmark_category_map`);
    return t;
  });
  return {
    kind: "simulated",
    items,
    models: names,
    roles: resolveRoles(names, roles, profiles),
    prob: (i, m) => profiles.simulated[m]?.success[types[i]],
    truth: (i) => types[i],
    notes: [],
  };
}

/**
 * Labels as the world: the candidates are the models named in the labels (or `models`); only
 * items with a label for at least one candidate count; a missing label means that model is
 * unavailable for that item.
 */
export function labelledWorld(
  prompts: readonly BenchPrompt[],
  labels: ReadonlyMap<string, ReadonlyMap<string, number>>,
  { models, roles, profiles }: { models?: string[]; roles?: Record<string, Role>; profiles?: ModelProfiles } = {},
): World {
  const all = [...new Set([...labels.values()].flatMap((row) => [...row.keys()]))].sort();
  const names = models ?? all;
  const chosen = new Set(names);
  const known = new Set(prompts.map((p) => p.id));
  const unknownIds = [...labels.keys()].filter((id) => !known.has(id));
  const kept = prompts.filter((p) => [...(labels.get(p.id)?.keys() ?? [])].some((m) => chosen.has(m)));
  const rows = kept.map((p) => labels.get(p.id)!);
  const notes = [`${kept.length} of ${prompts.length} prompts have a label for a candidate model; the others are left out`];
  if (unknownIds.length) notes.push(`${unknownIds.length} labelled ids are not among the prompts (ignored)`);
  const unused = names.filter((m) => !rows.some((r) => r.has(m)));
  if (unused.length) notes.push(`no label for: ${unused.join(", ")}`);
  return {
    kind: "labels",
    items: itemsOf(kept),
    models: names,
    roles: resolveRoles(names, roles, profiles),
    prob: (i, m) => (chosen.has(m) ? rows[i].get(m) : undefined),
    truth: (i) => {
      const c = kept[i].category;
      return c && profiles ? (profiles.benchmark_category_map[c] ?? null) : null;
    },
    notes,
  };
}

// ---------------------------------------------------------------------------------------
// A model without a role gets none: choosePolicy gives it a neutral prior pooled across task types.

export function policyCandidate(model: string, role: Role | null, loaded: boolean): PolicyCandidate {
  return { model, role, loaded, available: true };
}

// ---------------------------------------------------------------------------------------
// The router: the state the real code learns, and one decision / one outcome at a time.

export type RouterSettings = {
  policy: PolicyOptions;
  /** models the simulated host keeps loaded (LRU); the rest pay choosePolicy's cold-load cost */
  loadedSlots: number;
  neighbours: NeighbourIndexOptions;
  k: number;
  /** neighbour example weight after a failed outcome (a success weighs 1; production: rating / 5) */
  failureWeight: number;
  voterDiscount: number;
  /** share of answers whose user confirms the task type ("wrong task type?" or a good rating nobody disputes) */
  confirmRate: number;
  /** neighbours whose outcomes inform the policy per request (contextual routing); 0: none */
  contextK: number;
};

export const DEFAULT_ROUTER_SETTINGS: RouterSettings = {
  policy: DEFAULT_POLICY_OPTIONS,
  loadedSlots: 2,
  neighbours: { bruteForceBelow: 512 },
  k: 7,
  failureWeight: 0.2,
  voterDiscount: 0.99,
  confirmRate: 0.1,
  contextK: 20,
};

export type Decision = { taskType: TaskType; confidence: number; votes: Vote[]; model: string; explored: boolean; decisionMs: number };

export class ReplayRouter {
  policy: PolicyState = EMPTY_POLICY;
  voters: VoterWeights = DEFAULT_VOTER_WEIGHTS;
  readonly index: NeighbourIndex;
  private readonly lru: string[] = [];
  private readonly rng: Rng;
  coldLoads = 0;

  constructor(
    private readonly roles: Record<string, Role | null>,
    readonly settings: RouterSettings,
    seed: number,
  ) {
    this.index = new NeighbourIndex(settings.neighbours);
    this.rng = seededRng(seed * 31 + 1);
  }

  /** Classification + routing for one prompt (its embedding already fetched: that is a model call). */
  decide(prompt: string, embedding: readonly number[], available: readonly string[], now: number): Decision {
    const t0 = performance.now();
    const features = taskClassifier().classify(prompt);
    const near = this.index.voteAndOutcomes(embedding, { k: this.settings.k, kOutcomes: this.settings.contextK });
    const neighbours = near.vote;
    const votes = votesFrom(this.voters, { features, neighbours });
    const combined = combineVotes(votes);
    const loaded = new Set(this.lru);
    const candidates = available.map((m) => policyCandidate(m, this.roles[m] ?? null, loaded.has(m)));
    const context = this.settings.contextK > 0 ? contextEvidence(near.outcomes) : undefined;
    const route = decideRoute({
      taskType: combined.taskType,
      candidates,
      context,
      policy: this.policy,
      fallback: EMPTY_FALLBACK_STATS,
      priorsChain: [],
      rng: this.rng,
      now,
      options: this.settings.policy,
    });
    const decisionMs = performance.now() - t0;
    if (!route.primary) throw new Error("no available model");
    return { taskType: combined.taskType, confidence: combined.confidence, votes, model: route.primary, explored: route.explored, decisionMs };
  }

  /**
   * The outcome becomes the feedback: posterior, neighbour index (with the outcome, for
   * contextual routing), loaded models. Only a confirmed task type (`confirmed`, as a user
   * states it) teaches the voters and labels a neighbour; the router's own guess never does.
   */
  learn(d: Pick<Decision, "taskType" | "votes" | "model">, embedding: ArrayLike<number>, reward: number, now: number, confirmed: TaskType | null = null): void {
    this.policy = updatePolicy(this.policy, { taskType: confirmed ?? d.taskType, model: d.model, reward, now }, this.settings.policy);
    if (confirmed) this.voters = updateVoterWeights(this.voters, { votes: d.votes, outcome: confirmed }, { discount: this.settings.voterDiscount });
    const labelWeight = confirmed ? (reward >= 0.5 ? 1 : this.settings.failureWeight) : 0;
    this.index.add(embedding, confirmed ?? d.taskType, labelWeight, { model: d.model, reward });
    this.touch(d.model);
  }

  private touch(model: string): void {
    const at = this.lru.indexOf(model);
    if (at === -1) this.coldLoads++;
    else this.lru.splice(at, 1);
    this.lru.unshift(model);
    if (this.lru.length > this.settings.loadedSlots) this.lru.pop();
  }
}

// ---------------------------------------------------------------------------------------
// The replay.

export const STRATEGIES = ["learned", "random", "static", "typeThompson", "bestSingle", "categoryOracle", "itemOracle"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export type ReplaySettings = RouterSettings & {
  seed: number;
  passes: number;
  /** the regret curve's window in requests; default: 10% of the requests */
  window?: number;
  embed?: (text: string) => number[];
};

export type StrategySummary = {
  /** mean probability of a good answer of the chosen model (expected reward) */
  overall: number;
  lastHalf: number;
  /** mean of the drawn rewards (the same draws for every strategy) */
  realisedOverall: number;
  realisedLastHalf: number;
  /** expected reward per window */
  perWindow: number[];
  /** summed expected regret vs the per-item oracle per window */
  regretPerWindow: number[];
  cumulativeRegret: number;
  share: Record<string, number>;
};

export type LatencyStats = { n: number; p50: number; p99: number; mean: number; max: number };

export type ReplayResult = {
  n: number;
  items: number;
  window: number;
  strategies: Partial<Record<Strategy, StrategySummary>>;
  rankings: { bestSingle: string[]; categoryOracle: Record<string, string[]> };
  /**
   * The best single model without hindsight: ranked on the first half's items (every model's
   * label there, more than any router sees), asked for every request of the last half. The
   * best single of `strategies` is ranked on every item, the last half's included, so it is
   * chosen knowing the answers it is scored on.
   */
  firstHalfBestSingle: { model: string; lastHalf: number };
  /**
   * The same with one ranking per group: per true category (what the per-category oracle
   * knows in hindsight), and per task type as the learned router classified each request
   * (what a router that chooses per task type could reach, had it seen every model's answer
   * to every request of the first half). Ceilings for learning from one answer per request.
   */
  firstHalfPerCategory: { lastHalf: number };
  firstHalfPerTaskType: { lastHalf: number };
  routingShare: Record<string, { n: number; models: Record<string, number> }>;
  classification: Record<string, Record<string, number>>;
  learned: { explorationRate: number; coldLoads: number; voterWeights: Record<string, number>; neighbourVotes: number };
  latency: { decisionMs: LatencyStats; embedMs: LatencyStats; learnMs: LatencyStats; indexSize: number };
  /** per request (not written to the JSON) */
  trace: { item: number; model: Record<Strategy, string | undefined>; taskType: TaskType }[];
};

export function requestOrder(n: number, passes: number, seed: number): number[] {
  const rng = seededRng(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: passes }, () => shuffled(idx, rng)).flat();
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function latencyStats(xs: readonly number[]): LatencyStats {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10_000) / 10_000;
  return { n: s.length, p50: r(quantile(s, 0.5)), p99: r(quantile(s, 0.99)), mean: r(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)), max: r(s[s.length - 1] ?? Number.NaN) };
}

/** Models ordered by mean probability over the given items (where available); ties by name. */
export function ranking(world: World, items: readonly number[]): string[] {
  const mean = (m: string) => {
    let s = 0;
    let n = 0;
    for (const i of items) {
      const p = world.prob(i, m);
      if (p !== undefined) (s += p), n++;
    }
    return n ? s / n : -1;
  };
  const means = new Map(world.models.map((m) => [m, mean(m)]));
  return [...world.models].filter((m) => means.get(m)! >= 0).sort((a, b) => means.get(b)! - means.get(a)! || a.localeCompare(b));
}

const firstAvailable = (order: readonly string[], available: readonly string[]) => order.find((m) => available.includes(m));

/**
 * Models ranked per group (`groupOf` an item) on the first half of `order`'s items, with every
 * model's label there, then asked, best available first, for the last half's items of their
 * group (expected reward). A group the first half never saw, and models a group's first half
 * never labelled, fall back to the ranking over the whole first half, then by name, so every
 * item of the last half has one to answer it. Returns the last half's score and the first
 * model of each group's ranking.
 */
export function firstHalfRanked(
  world: World,
  order: readonly number[],
  available: readonly (readonly string[])[],
  groupOf: (item: number) => string,
): { lastHalf: number; top: Record<string, string> } {
  const half = Math.floor(order.length / 2);
  const first = order.slice(0, half);
  const overall = ranking(world, first);
  const fallback = [...overall, ...world.models.filter((m) => !overall.includes(m)).sort()];
  const byGroup = new Map<string, number[]>();
  for (const i of first) byGroup.set(groupOf(i), [...(byGroup.get(groupOf(i)) ?? []), i]);
  const ranks = new Map([...byGroup].map(([g, items]) => {
    const ranked = ranking(world, items);
    return [g, [...ranked, ...fallback.filter((m) => !ranked.includes(m))]];
  }));
  const last = order.slice(half);
  const total = last.reduce((sum, i) => sum + world.prob(i, firstAvailable(ranks.get(groupOf(i)) ?? fallback, available[i])!)!, 0);
  return { lastHalf: Math.round((total / last.length) * 10_000) / 10_000, top: Object.fromEntries([...ranks].map(([g, r]) => [g, r[0]])) };
}

/** ReplayResult.firstHalfBestSingle: one group, every item. */
export function firstHalfBestSingle(world: World, order: readonly number[], available: readonly (readonly string[])[]): { model: string; lastHalf: number } {
  const { lastHalf, top } = firstHalfRanked(world, order, available, () => "all");
  return { model: top.all ?? [...world.models].sort()[0], lastHalf };
}

export function embeddingCache(world: World, embed: (text: string) => number[] = (t) => simEmbed(t, 768)) {
  const cache = new Map<number, number[]>();
  const ms: number[] = [];
  return {
    get(i: number): number[] {
      let e = cache.get(i);
      if (!e) {
        const t0 = performance.now();
        e = embed(world.items[i].prompt);
        ms.push(performance.now() - t0);
        cache.set(i, e);
      }
      return e;
    },
    ms,
  };
}

export function runReplay(world: World, settings: ReplaySettings, embeddings = embeddingCache(world, settings.embed)): ReplayResult {
  const { seed, passes } = settings;
  const order = requestOrder(world.items.length, passes, seed);
  const n = order.length;
  const window = settings.window ?? Math.max(1, Math.ceil(n / 10));
  const available = world.items.map((_, i) => world.models.filter((m) => world.prob(i, m) !== undefined));
  const draws = (() => {
    const r = seededRng(seed * 7919 + 17);
    return order.map(() => r());
  })();
  const randomRng = seededRng(seed * 131 + 2);
  const reference = new TypeThompson(seed);
  const confirmRng = seededRng(seed * 53 + 9);

  const allItems = world.items.map((_, i) => i);
  const bestSingle = ranking(world, allItems);
  const byCategory = new Map<string, number[]>();
  world.items.forEach((it, i) => byCategory.set(it.category ?? "(none)", [...(byCategory.get(it.category ?? "(none)") ?? []), i]));
  const categoryRanking = Object.fromEntries([...byCategory].map(([c, items]) => [c, ranking(world, items)]));
  const withRoles = world.models.every((m) => world.roles[m] !== null);
  const roleModel = new Map<Role, string>();
  for (const m of world.models) if (world.roles[m] && !roleModel.has(world.roles[m]!)) roleModel.set(world.roles[m]!, m);

  const router = new ReplayRouter(world.roles, { ...settings, neighbours: { capacity: Math.max(1, n), ...settings.neighbours } }, seed);
  const strategies = STRATEGIES.filter((s) => s !== "static" || withRoles);
  const acc = Object.fromEntries(strategies.map((s) => [s, { p: [] as number[], r: [] as number[], choice: [] as string[] }])) as Record<Strategy, { p: number[]; r: number[]; choice: string[] }>;
  const decisionMs: number[] = [];
  const learnMs: number[] = [];
  let explored = 0;
  let neighbourVotes = 0;
  const trace: ReplayResult["trace"] = [];
  /** each item's task type as the learned router classified it (its last request, with several passes) */
  const routedTaskType = new Map<number, TaskType>();
  const routingCounts: Record<string, Record<string, number>> = {};
  const classification: Record<string, Record<string, number>> = {};

  order.forEach((i, step) => {
    const item = world.items[i];
    const avail = available[i];
    const embedding = embeddings.get(i);
    const d = router.decide(item.prompt, embedding, avail, step);
    decisionMs.push(d.decisionMs);
    if (d.explored) explored++;
    if (d.votes.some((v) => v.name === "neighbours")) neighbourVotes++;

    const pOf = (m: string) => world.prob(i, m, step)!;
    const choices: Record<Strategy, string | undefined> = {
      learned: d.model,
      random: avail[Math.floor(randomRng() * avail.length)],
      typeThompson: reference.choose(item.category ?? "(none)", avail),
      static: withRoles ? (firstAvailable(defaultChain(d.taskType).flatMap((r) => (roleModel.has(r) ? [roleModel.get(r)!] : [])), avail) ?? avail[0]) : undefined,
      bestSingle: firstAvailable(bestSingle, avail),
      categoryOracle: firstAvailable(categoryRanking[item.category ?? "(none)"], avail),
      itemOracle: avail.reduce((b, m) => (pOf(m) > pOf(b) ? m : b)),
    };
    for (const s of strategies) {
      const m = choices[s]!;
      acc[s].p.push(pOf(m));
      acc[s].r.push(draws[step] < pOf(m) ? 1 : 0);
      acc[s].choice.push(m);
    }
    reference.learn(item.category ?? "(none)", choices.typeThompson!, draws[step] < pOf(choices.typeThompson!) ? 1 : 0);
    const reward = draws[step] < pOf(d.model) ? 1 : 0;
    const confirmed = confirmRng() < settings.confirmRate ? world.truth(i) : null;
    const t0 = performance.now();
    router.learn(d, embedding, reward, step, confirmed);
    learnMs.push(performance.now() - t0);

    const cat = item.category ?? "(none)";
    routingCounts[cat] ??= {};
    routingCounts[cat][d.model] = (routingCounts[cat][d.model] ?? 0) + 1;
    classification[cat] ??= {};
    classification[cat][d.taskType] = (classification[cat][d.taskType] ?? 0) + 1;
    trace.push({ item: i, model: choices, taskType: d.taskType });
    routedTaskType.set(i, d.taskType);
  });

  const half = Math.floor(n / 2);
  const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
  const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
  const oracleP = acc.itemOracle.p;
  const summaries: Partial<Record<Strategy, StrategySummary>> = {};
  for (const s of strategies) {
    const { p, r, choice } = acc[s];
    const perWindow: number[] = [];
    const regretPerWindow: number[] = [];
    for (let w = 0; w * window < n; w++) {
      const sl = p.slice(w * window, (w + 1) * window);
      perWindow.push(round(mean(sl)));
      regretPerWindow.push(round(sl.reduce((a, x, k) => a + oracleP[w * window + k] - x, 0), 2));
    }
    const share: Record<string, number> = {};
    for (const m of choice) share[m] = (share[m] ?? 0) + 1 / n;
    summaries[s] = {
      overall: round(mean(p)),
      lastHalf: round(mean(p.slice(half))),
      realisedOverall: round(mean(r)),
      realisedLastHalf: round(mean(r.slice(half))),
      perWindow,
      regretPerWindow,
      cumulativeRegret: round(regretPerWindow.reduce((a, b) => a + b, 0), 2),
      share: Object.fromEntries(Object.entries(share).sort((a, b) => b[1] - a[1]).map(([m, x]) => [m, round(x)])),
    };
  }
  const routingShare = Object.fromEntries(
    Object.entries(routingCounts).map(([cat, counts]) => {
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      return [cat, { n: total, models: Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([m, c]) => [m, round(c / total, 3)])) }];
    }),
  );
  return {
    n,
    items: world.items.length,
    window,
    strategies: summaries,
    rankings: { bestSingle, categoryOracle: categoryRanking },
    firstHalfBestSingle: firstHalfBestSingle(world, order, available),
    firstHalfPerCategory: { lastHalf: firstHalfRanked(world, order, available, (i) => world.items[i].category ?? "(none)").lastHalf },
    firstHalfPerTaskType: { lastHalf: firstHalfRanked(world, order, available, (i) => routedTaskType.get(i)!).lastHalf },
    routingShare,
    classification,
    learned: {
      explorationRate: round(explored / n),
      coldLoads: router.coldLoads,
      voterWeights: Object.fromEntries(Object.entries(router.voters).map(([k, v]) => [k, round(v.alpha / (v.alpha + v.beta), 3)])),
      neighbourVotes: round(neighbourVotes / n),
    },
    latency: { decisionMs: latencyStats(decisionMs), embedMs: latencyStats(embeddings.ms), learnMs: latencyStats(learnMs), indexSize: router.index.size },
    trace,
  };
}

// ---------------------------------------------------------------------------------------
// Decision latency with `recorded` past outcomes: the neighbour index and the policy are
// pre-filled, then one pass of the prompts is routed (and learned from) and timed.

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
