/**
 * Trains a linear text classifier (lib/learning/linear-text-classifier.ts): a multinomial
 * logistic regression over sparse binary text features, by AdaGrad with L2 decay and
 * class-balanced weights, averaged over several shuffle orders; the regularisation and length
 * of training chosen on the validation split by its log-loss once each candidate's temperature
 * (which calibrates its probabilities) is fitted there too. The test split is never given to
 * it. Used by the task classifier's and the feedback readers' training scripts.
 *
 * Written here rather than taken from a library: the JavaScript ones (ml-logistic-regression
 * and kin) are dense one-vs-rest and would need ~10⁸ floats for this feature space; this is
 * forty lines and exact.
 */
import { seededRng, type Rng } from "../../lib/learning/random";
import { SCRIPTS, textFeatures, textParts, type Script } from "../../lib/learning/text-features";
import { linearTextClassifierFrom, softmax, type LinearTextModel } from "../../lib/learning/linear-text-classifier";

export interface LabelledText {
  text: string;
  label: string;
}

interface Encoded {
  idx: Int32Array;
  scale: number;
  label: number;
  weight: number;
}

/** Features seen in at least `minDf` training texts. */
function vocabulary(examples: LabelledText[], minDf: number): string[] {
  const df = new Map<string, number>();
  for (const x of examples) for (const f of textFeatures(x.text)) df.set(f, (df.get(f) ?? 0) + 1);
  return [...df].filter(([, n]) => n >= minDf).map(([f]) => f).sort();
}

function encode(examples: LabelledText[], labels: readonly string[], index: Map<string, number>): Encoded[] {
  const counts = labels.map((l) => examples.filter((x) => x.label === l).length);
  return examples.map((x) => {
    const feats = textFeatures(x.text);
    const label = labels.indexOf(x.label);
    return {
      idx: Int32Array.from(feats.map((f) => index.get(f) ?? -1).filter((i) => i >= 0)),
      scale: 1 / Math.sqrt(Math.max(1, feats.length)),
      label,
      // class-balanced: every label weighs the same in total
      weight: examples.length / (labels.length * Math.max(1, counts[label])),
    };
  });
}

function shuffle<T>(xs: T[], rng: Rng): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function train(data: Encoded[], features: number, k: number, opts: { l2: number; epochs: number; lr: number; seed: number }) {
  const w = new Float64Array(features * k);
  const g2 = new Float64Array(features * k).fill(1e-8);
  const b = new Float64Array(k);
  const bg2 = new Float64Array(k).fill(1e-8);
  const rng = seededRng(opts.seed);
  const z = new Float64Array(k);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (const x of shuffle(data, rng)) {
      for (let c = 0; c < k; c++) z[c] = b[c];
      for (const i of x.idx) for (let c = 0; c < k; c++) z[c] += w[i * k + c] * x.scale;
      const p = softmax(z);
      for (let c = 0; c < k; c++) {
        const err = (p[c] - (c === x.label ? 1 : 0)) * x.weight;
        bg2[c] += err * err;
        b[c] -= (opts.lr * err) / Math.sqrt(bg2[c]);
        for (const i of x.idx) {
          const j = i * k + c;
          const grad = err * x.scale + opts.l2 * w[j];
          g2[j] += grad * grad;
          w[j] -= (opts.lr * grad) / Math.sqrt(g2[j]);
        }
      }
    }
  }
  return { w, b };
}

/** How many shuffle orders a model averages unless told otherwise. */
export const BAG = 5;

/** A training script's `--bag` value, refused unless a whole number ≥ 1. */
export function bagFrom(value: string): number {
  const bag = Number(value);
  if (!Number.isInteger(bag) || bag < 1) throw new Error(`--bag must be a whole number ≥ 1, got ${value}`);
  return bag;
}

/** The shuffle seed of run `run` of a model trained with `seed` (run 0: the seed itself). */
export const runSeed = (seed: number, run: number) => seed + run * 1009;

/**
 * The average of `runs` trainings' weights. One training's answers move with the order it
 * saw the examples in (a point on a probe of 480, from the shuffle seed alone); the average
 * of several orders moves less, and is one linear model of the same size.
 */
function averaged(runs: number, trainOnce: (run: number) => { w: Float64Array; b: Float64Array }) {
  let sum: { w: Float64Array; b: Float64Array } | null = null;
  for (let run = 0; run < runs; run++) {
    const { w, b } = trainOnce(run);
    if (!sum) sum = { w, b };
    else {
      for (let i = 0; i < w.length; i++) sum.w[i] += w[i];
      for (let i = 0; i < b.length; i++) sum.b[i] += b[i];
    }
  }
  for (let i = 0; i < sum!.w.length; i++) sum!.w[i] /= runs;
  for (let i = 0; i < sum!.b.length; i++) sum!.b[i] /= runs;
  return sum!;
}

function modelFrom(labels: readonly string[], vocab: string[], w: Float64Array, b: Float64Array, temperature: number, meta: Record<string, unknown>): LinearTextModel {
  const k = labels.length;
  // Drop features whose weights all round to zero; round the rest (a smaller artefact, the same answers).
  const keep: number[] = [];
  for (let i = 0; i < vocab.length; i++) {
    let max = 0;
    for (let c = 0; c < k; c++) max = Math.max(max, Math.abs(w[i * k + c]));
    if (max >= 5e-4) keep.push(i);
  }
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    version: 1,
    labels: [...labels],
    temperature: round(temperature),
    features: keep.map((i) => vocab[i]),
    weights: keep.flatMap((i) => Array.from(w.subarray(i * k, i * k + k), round)),
    bias: Array.from(b, round),
    meta,
  };
}

export function accuracyAndNll(model: LinearTextModel, examples: LabelledText[], temperature = model.temperature) {
  const clf = linearTextClassifierFrom(model);
  let right = 0;
  let nll = 0;
  for (const x of examples) {
    const p = softmax(clf.logits(x.text), temperature);
    const label = model.labels.indexOf(x.label);
    if (p.indexOf(Math.max(...p)) === label) right++;
    nll -= Math.log(Math.max(1e-12, p[label]));
  }
  return { accuracy: right / examples.length, nll: nll / examples.length };
}

/** The temperature that minimises the validation negative log-likelihood (a grid, then a finer one). */
function fitTemperature(model: LinearTextModel, validation: LabelledText[]): number {
  let best = { t: 1, nll: Infinity };
  for (let t = 0.2; t <= 6; t += 0.1) {
    const { nll } = accuracyAndNll(model, validation, t);
    if (nll < best.nll) best = { t, nll };
  }
  for (let t = best.t - 0.1; t <= best.t + 0.1; t += 0.01) {
    const { nll } = accuracyAndNll(model, validation, t);
    if (t > 0 && nll < best.nll) best = { t, nll };
  }
  return best.t;
}

/** How many texts per label a corpus must have written mostly in a script for the classifier trained on it to read that script. */
const MIN_SCRIPT_TEXTS_PER_LABEL = 10;

/**
 * The scripts a classifier of `labels` trained on `examples` reads (LinearTextModel.scripts):
 * Latin, and each other script most of whose letters are those of at least ten texts per label.
 * A script met only in a few pasted names is not one it can read.
 */
export function scriptsOf(examples: readonly LabelledText[], labels: number): Script[] {
  const mostly = new Map<Script, number>();
  for (const x of examples) {
    const shares = textParts(x.text).scripts;
    for (const s of SCRIPTS) if (shares[s] > 0.5) mostly.set(s, (mostly.get(s) ?? 0) + 1);
  }
  return SCRIPTS.filter((s) => s === "latin" || (mostly.get(s) ?? 0) >= MIN_SCRIPT_TEXTS_PER_LABEL * labels);
}

export interface Trained {
  model: LinearTextModel;
  l2: number;
  epochs: number;
  validation: { accuracy: number; nllBefore: number; nllAfter: number };
}

/** Trains on `trainSet`, chooses and calibrates on `validation`; logs each candidate. */
export function trainLinearTextModel(opts: {
  labels: readonly string[];
  trainSet: LabelledText[];
  validation: LabelledText[];
  seed: number;
  minDf?: number;
  grid?: { l2: number[]; epochs: number[] };
  /** how many runs, each in its own shuffle order, are averaged into the model (default BAG) */
  bag?: number;
}): Trained {
  const bag = opts.bag ?? BAG;
  const { labels, trainSet, validation, seed } = opts;
  const vocab = vocabulary(trainSet, opts.minDf ?? 2);
  const index = new Map(vocab.map((f, i) => [f, i]));
  const data = encode(trainSet, labels, index);
  console.log(`${vocab.length} features`);
  const grid = opts.grid ?? { l2: [1e-5, 1e-4, 1e-3], epochs: [10, 25] };
  // Chosen by the validation log-loss once calibrated (a proper score: smoother than accuracy,
  // where candidates a request or two apart swapped places on noise), then accuracy.
  let best: { model: LinearTextModel; accuracy: number; nll: number; temperature: number; calibratedNll: number; l2: number; epochs: number } | null = null;
  for (const l2 of grid.l2) {
    for (const epochs of grid.epochs) {
      const { w, b } = averaged(bag, (run) => train(data, vocab.length, labels.length, { l2, epochs, lr: 0.5, seed: runSeed(seed, run) }));
      const model = modelFrom(labels, vocab, w, b, 1, {});
      const { accuracy, nll } = accuracyAndNll(model, validation);
      const temperature = fitTemperature(model, validation);
      const calibratedNll = accuracyAndNll(model, validation, temperature).nll;
      const fit = accuracyAndNll(model, trainSet);
      console.log(`l2 ${l2} epochs ${epochs}: train accuracy ${(fit.accuracy * 100).toFixed(1)}%; validation accuracy ${(accuracy * 100).toFixed(1)}%, nll ${nll.toFixed(3)}, calibrated ${calibratedNll.toFixed(4)}`);
      const better = !best || calibratedNll < best.calibratedNll - 1e-9 || (Math.abs(calibratedNll - best.calibratedNll) < 1e-9 && accuracy > best.accuracy);
      if (better) best = { model, accuracy, nll, temperature, calibratedNll, l2, epochs };
    }
  }
  const chosen = best!;
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    model: { ...chosen.model, temperature: r4(chosen.temperature), scripts: scriptsOf(trainSet, labels.length) },
    l2: chosen.l2,
    epochs: chosen.epochs,
    validation: { accuracy: r4(chosen.accuracy), nllBefore: r4(chosen.nll), nllAfter: r4(chosen.calibratedNll) },
  };
}
