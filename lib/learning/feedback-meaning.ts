/**
 * Feedback grouped by meaning, whatever its wording (pure). Free text is compared through
 * its embedding, and "the same complaint" means more similar than {@link SAME_COMPLAINT} of
 * pairs of unrelated feedback under the embedding model in use (lib/learning/similarity-scale.ts).
 *
 * 1. Known themes are seeds: a quick tag, a telling phrase or the theme classifier when it is
 *    sure (lib/learning/theme-classifier.ts, trained on comments written for it) places feedback in one at once,
 *    and so does being closer to the centroid of the theme's example wordings than feedback
 *    about unrelated things (the scale's references) comes to it, with the bar raised for
 *    comparing with every theme (the closest theme only). A centroid is nearer to everything
 *    than any one wording is, so pairs of wordings are the wrong yardstick for it. The
 *    embedding alone never places feedback the classifier is sure is none of the known
 *    themes (`other`), alone or as most of a cluster (3.): a new complaint stays new.
 * 2. The rest is clustered by average linkage: two groups merge while their members are, on
 *    average, as close as one complaint's wordings are. What remains alone is not a theme.
 * 3. A cluster whose members are on average that close to a known theme (by its own yardstick) joins it.
 *
 * Groups span models and task types: one complaint is one group wherever it was made.
 */
import { SURE } from "./linear-text-classifier";
import { scaleAround, similarityQuantile, type SimilarityScale } from "./similarity-scale";
import { OTHER_THEME, THEMES, themesOf, type FeedbackText, type ThemeDef } from "./themes";
import { dot, unit } from "./vectors";

/** Quantile of the background that two wordings of one complaint must beat on average. */
export const SAME_COMPLAINT = 0.95;
/** At most this many free texts are clustered per run (the most recent). */
export const MAX_CLUSTERED = 400;

export interface FeedbackGroup {
  /** a known theme's id, or `meaning:<n>` for a group found by meaning */
  themeId: string;
  label: string;
  /** known themes carry theirs; groups found by meaning get one drafted by the router model */
  instruction: string | null;
  members: FeedbackText[];
  /** some of the members' texts, for naming the group and for the operator */
  samples: string[];
}


export function groupByMeaning(input: {
  items: readonly FeedbackText[];
  /** embedding of each item's text, by item id (items without one are grouped by seeds only) */
  vectors: ReadonlyMap<string, readonly number[]>;
  /** embeddings of each known theme's example wordings, by theme id */
  anchors: ReadonlyMap<string, readonly (readonly number[])[]>;
  scale: SimilarityScale;
  /** the theme classifier: the probability of each known theme (and `other`) for a comment */
  classifyTheme?: (text: string) => Readonly<Record<string, number>>;
}): FeedbackGroup[] {
  const near = similarityQuantile(input.scale, SAME_COMPLAINT);
  // Feedback is compared with every known theme: the bar for "close to a theme" is raised so
  // that, over all of them, chance closeness stays as rare (Bonferroni).
  const themeCount = Math.max(1, [...input.anchors.values()].filter((a) => a.length > 0).length);
  const vec = new Map([...input.vectors].map(([id, v]) => [id, unit(v)]));
  // Each known theme by the centroid of its example wordings: one comparison per theme, and
  // a centroid is a steadier picture of a complaint than any one wording of it.
  const anchors = new Map(
    [...input.anchors].filter(([, vs]) => vs.length > 0).map(([id, vs]) => [id, unit(vs.map(unit).reduce((a, v) => a.map((x, i) => x + v[i])))]),
  );
  const anchorSim = (v: number[], theme: ThemeDef) => {
    const a = anchors.get(theme.id);
    return a ? dot(v, a) : -1;
  };
  // A centroid is nearer to everything than one wording is, so closeness to a theme is read
  // against that theme's own closeness to feedback about unrelated things (the references),
  // not against pairs of wordings. Without references, against the pairs.
  const themeBar = (theme: ThemeDef, q: number) => {
    const a = anchors.get(theme.id);
    return similarityQuantile(a ? scaleAround(input.scale, a) : input.scale, q);
  };
  const nearTheme = new Map(THEMES.map((t) => [t.id, { one: themeBar(t, 1 - (1 - SAME_COMPLAINT) / themeCount), group: themeBar(t, SAME_COMPLAINT) }]));

  const seeded = new Map<string, FeedbackText[]>();
  const join = (theme: ThemeDef, f: FeedbackText) => seeded.set(theme.id, [...(seeded.get(theme.id) ?? []), f]);
  const loose: { f: FeedbackText; v: number[] }[] = [];
  // The theme classifier's sure "none of the known themes" outweighs the embedding alone.
  const surelyOther = new Set<string>();
  for (const f of input.items) {
    const v = vec.get(f.id);
    const seeds = themesOf(f);
    if (seeds.length === 0 && f.text.trim() && input.classifyTheme) {
      const p = input.classifyTheme(f.text);
      const sure = THEMES.find((t) => (p[t.id] ?? 0) >= SURE);
      if (sure) seeds.push(sure);
      else if ((p[OTHER_THEME] ?? 0) >= SURE) surelyOther.add(f.id);
    }
    // At most one theme by meaning: the one whose example is closest, if close enough.
    const best = v && seeds.length === 0 && !surelyOther.has(f.id) ? THEMES.map((t) => ({ t, s: anchorSim(v, t) - nearTheme.get(t.id)!.one })).sort((a, b) => b.s - a.s)[0] : undefined;
    const byMeaning = best && best.s >= 0 ? [best.t] : [];
    for (const t of [...seeds, ...byMeaning]) join(t, f);
    if (seeds.length + byMeaning.length === 0 && v && f.text.trim()) loose.push({ f, v });
  }

  // Average-linkage clustering of the rest: sums of pairwise similarities between clusters.
  const points = loose.slice(-MAX_CLUSTERED);
  let clusters = points.map((_, i) => [i]);
  const sim = points.map((a) => points.map((b) => dot(a.v, b.v)));
  const sum = sim.map((row) => [...row]);
  for (;;) {
    let best = -Infinity;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const avg = sum[i][j] / (clusters[i].length * clusters[j].length);
        if (avg > best) [best, bi, bj] = [avg, i, j];
      }
    }
    if (bi < 0 || best < near) break;
    clusters[bi] = [...clusters[bi], ...clusters[bj]];
    for (let k = 0; k < clusters.length; k++) {
      sum[bi][k] += sum[bj][k];
      sum[k][bi] = sum[bi][k];
    }
    clusters = clusters.filter((_, k) => k !== bj);
    sum.splice(bj, 1);
    for (const row of sum) row.splice(bj, 1);
  }

  const groups: FeedbackGroup[] = [];
  let n = 0;
  for (const c of clusters.filter((c) => c.length >= 2)) {
    const members = c.map((i) => points[i].f);
    // A cluster close, on average, to a known theme's examples is that theme in other words.
    const theme = THEMES.map((t) => ({ t, avg: c.reduce((s, i) => s + anchorSim(points[i].v, t), 0) / c.length - nearTheme.get(t.id)!.group })).sort((a, b) => b.avg - a.avg)[0];
    const mostlyOther = c.filter((i) => surelyOther.has(points[i].f.id)).length * 2 > c.length;
    if (theme && theme.avg >= 0 && !mostlyOther) {
      for (const m of members) join(theme.t, m);
      continue;
    }
    groups.push({ themeId: `meaning:${++n}`, label: `Feedback like “${members[0].text.slice(0, 60)}”`, instruction: null, members, samples: members.slice(0, 8).map((m) => m.text.slice(0, 300)) });
  }
  for (const t of THEMES) {
    const members = [...new Map((seeded.get(t.id) ?? []).map((m) => [m.id, m])).values()];
    if (members.length) groups.push({ themeId: t.id, label: t.label, instruction: t.instruction, members, samples: members.filter((m) => m.text).slice(0, 8).map((m) => m.text.slice(0, 300)) });
  }
  return groups.sort((a, b) => b.members.length - a.members.length);
}
