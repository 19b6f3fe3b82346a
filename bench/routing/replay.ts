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
 * the category for the latter; bench/routing/baselines.ts, with the same rankings made on the
 * first half only); an item goes to the highest-ranked model available for it, which is
 * plain "always model X" whenever X is available everywhere. The world itself (items,
 * models, how likely each answer is good) is bench/routing/world.ts; decision time at 100k
 * recorded outcomes, bench/routing/latency-at-scale.ts.
 */
import { simEmbed } from "../../sim/embed";
import { defaultChain, type Role, type TaskType } from "../../lib/domain";
import { seededRng, shuffled } from "../../lib/learning/random";
import { choiceProbability } from "../../lib/learning/propensity";
import { checksFromLog, type LogChecks, type LoggedStep } from "./log-checks";
import { ReplayRouter, type RouterSettings } from "./replay-router";
import { TypeThompson } from "./type-thompson";
import { categoryOf, firstAvailable, firstHalfBestSingle, firstHalfRanked, ranking, rankingPerGroup } from "./baselines";
import type { World } from "./world";

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
  /** what the app reads from this log (the dashboard's estimates, the Learning Director's rules), beside the truth (bench/routing/log-checks.ts) */
  fromLog: LogChecks;
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
  const category = categoryOf(world);
  const categoryRanking = Object.fromEntries(rankingPerGroup(world, allItems, category));
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
  /** the learned router's log, with each fixed strategy's choice and realised reward beside it */
  const logged: LoggedStep[] = [];
  const classification: Record<string, Record<string, number>> = {};

  order.forEach((i, step) => {
    const item = world.items[i];
    const cat = category(i);
    const avail = available[i];
    const embedding = embeddings.get(i);
    const d = router.decide(item.prompt, embedding, avail, step);
    decisionMs.push(d.decisionMs);
    if (d.explored) explored++;
    if (d.votes.some((v) => v.name === "neighbours")) neighbourVotes++;
    // A model that cannot be served now fails before it answers; the next in the route's order
    // takes over (the fixed strategies go straight to their first model that can be served).
    const served = (m: string) => world.served?.(m, step) ?? true;
    const servedNow = avail.filter(served);
    const fallback = servedNow.length ? servedNow : avail;
    let answeredBy = d.model;
    if (!served(d.model)) {
      router.notServed(d, d.model, step);
      answeredBy = d.order.find((m) => m !== d.model && served(m)) ?? d.model;
    }

    const pOf = (m: string) => world.prob(i, m, step)!;
    const choices: Record<Strategy, string | undefined> = {
      learned: answeredBy,
      random: fallback[Math.floor(randomRng() * fallback.length)],
      typeThompson: reference.choose(cat, fallback),
      static: withRoles ? (firstAvailable(defaultChain(d.taskType).flatMap((r) => (roleModel.has(r) ? [roleModel.get(r)!] : [])), fallback) ?? fallback[0]) : undefined,
      bestSingle: firstAvailable(bestSingle, fallback),
      categoryOracle: firstAvailable(categoryRanking[cat], fallback),
      itemOracle: fallback.reduce((b, m) => (pOf(m) > pOf(b) ? m : b)),
    };
    for (const s of strategies) {
      const m = choices[s]!;
      acc[s].p.push(pOf(m));
      acc[s].r.push(draws[step] < pOf(m) ? 1 : 0);
      acc[s].choice.push(m);
    }
    reference.learn(cat, choices.typeThompson!, draws[step] < pOf(choices.typeThompson!) ? 1 : 0);
    const reward = draws[step] < pOf(answeredBy) ? 1 : 0;
    logged.push({
      model: d.model,
      propensity: choiceProbability(d.drawn, d.model),
      eligible: d.drawn.map((a) => a.model),
      reward,
      table: choices.static ?? null,
      choices,
      realised: Object.fromEntries(strategies.map((s) => [s, acc[s].r[acc[s].r.length - 1]])),
      item: i,
      step,
      taskType: d.taskType,
    });
    const confirmed = confirmRng() < settings.confirmRate ? world.truth(i) : null;
    const t0 = performance.now();
    router.learn(d, embedding, reward, step, confirmed, answeredBy);
    learnMs.push(performance.now() - t0);

    routingCounts[cat] ??= {};
    routingCounts[cat][answeredBy] = (routingCounts[cat][answeredBy] ?? 0) + 1;
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
    firstHalfPerCategory: { lastHalf: firstHalfRanked(world, order, available, category).lastHalf },
    firstHalfPerTaskType: { lastHalf: firstHalfRanked(world, order, available, (i) => routedTaskType.get(i)!).lastHalf },
    routingShare,
    classification,
    learned: {
      explorationRate: round(explored / n),
      coldLoads: router.coldLoads,
      voterWeights: Object.fromEntries(Object.entries(router.voters).map(([k, v]) => [k, round(v.alpha / (v.alpha + v.beta), 3)])),
      neighbourVotes: round(neighbourVotes / n),
    },
    fromLog: checksFromLog(world, logged, strategies),
    latency: { decisionMs: latencyStats(decisionMs), embedMs: latencyStats(embeddings.ms), learnMs: latencyStats(learnMs), indexSize: router.index.size },
    trace,
  };
}
