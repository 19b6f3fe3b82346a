/**
 * `npm run train:classifier`: trains the task classifier shipped in
 * lib/learning/task-classifier.model.json from the train split, chooses its regularisation
 * and length of training by accuracy on the validation split, fits the temperature that
 * calibrates its probabilities on the validation split, and writes the artefact. The test and
 * published splits are never read here.
 *
 * The model is a multinomial logistic regression over sparse binary features, trained by
 * AdaGrad with L2 decay and class-balanced weights. Written here rather than taken from a
 * library: the JavaScript ones (ml-logistic-regression and kin) are dense one-vs-rest and
 * would need ~10⁸ floats for this feature space; this is forty lines and exact.
 *
 * Flags: --seed N (shuffle order, default 7), --out PATH.
 */
import fs from "node:fs";
import path from "node:path";
import { TASK_TYPES, type TaskType } from "../../lib/domain";
import { seededRng, type Rng } from "../../lib/learning/random";
import { textFeatures } from "../../lib/learning/text-features";
import { softmax, taskClassifierFrom, type TaskClassifierModel } from "../../lib/learning/task-classifier";
import { loadSplit, type Example } from "./corpus";

interface Encoded {
  idx: Int32Array;
  scale: number;
  label: number;
  weight: number;
}

const K = TASK_TYPES.length;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** Features seen in at least `minDf` training texts. */
function vocabulary(examples: Example[], minDf: number): string[] {
  const df = new Map<string, number>();
  for (const x of examples) for (const f of textFeatures(x.text)) df.set(f, (df.get(f) ?? 0) + 1);
  return [...df].filter(([, n]) => n >= minDf).map(([f]) => f).sort();
}

function encode(examples: Example[], index: Map<string, number>): Encoded[] {
  const counts = TASK_TYPES.map((t) => examples.filter((x) => x.taskType === t).length);
  return examples.map((x) => {
    const feats = textFeatures(x.text);
    const label = TASK_TYPES.indexOf(x.taskType);
    return {
      idx: Int32Array.from(feats.map((f) => index.get(f) ?? -1).filter((i) => i >= 0)),
      scale: 1 / Math.sqrt(Math.max(1, feats.length)),
      label,
      // class-balanced: every task type weighs the same in total
      weight: examples.length / (K * Math.max(1, counts[label])),
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

function train(data: Encoded[], features: number, opts: { l2: number; epochs: number; lr: number; seed: number }) {
  const w = new Float64Array(features * K);
  const g2 = new Float64Array(features * K).fill(1e-8);
  const b = new Float64Array(K);
  const bg2 = new Float64Array(K).fill(1e-8);
  const rng = seededRng(opts.seed);
  const z = new Float64Array(K);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (const x of shuffle(data, rng)) {
      for (let c = 0; c < K; c++) z[c] = b[c];
      for (const i of x.idx) for (let c = 0; c < K; c++) z[c] += w[i * K + c] * x.scale;
      const p = softmax(z);
      for (let c = 0; c < K; c++) {
        const err = (p[c] - (c === x.label ? 1 : 0)) * x.weight;
        bg2[c] += err * err;
        b[c] -= (opts.lr * err) / Math.sqrt(bg2[c]);
        for (const i of x.idx) {
          const j = i * K + c;
          const grad = err * x.scale + opts.l2 * w[j];
          g2[j] += grad * grad;
          w[j] -= (opts.lr * grad) / Math.sqrt(g2[j]);
        }
      }
    }
  }
  return { w, b };
}

function modelFrom(vocab: string[], w: Float64Array, b: Float64Array, temperature: number, meta: Record<string, unknown>): TaskClassifierModel {
  // Drop features whose weights all round to zero; round the rest (a smaller artefact, the same answers).
  const keep: number[] = [];
  for (let i = 0; i < vocab.length; i++) {
    let max = 0;
    for (let c = 0; c < K; c++) max = Math.max(max, Math.abs(w[i * K + c]));
    if (max >= 5e-4) keep.push(i);
  }
  const round = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    version: 1,
    labels: [...TASK_TYPES],
    temperature: round(temperature),
    features: keep.map((i) => vocab[i]),
    weights: keep.flatMap((i) => Array.from(w.subarray(i * K, i * K + K), round)),
    bias: Array.from(b, round),
    meta,
  };
}

function accuracyAndNll(model: TaskClassifierModel, examples: Example[], temperature = model.temperature) {
  const clf = taskClassifierFrom(model);
  let right = 0;
  let nll = 0;
  for (const x of examples) {
    const p = softmax(clf.logits(x.text), temperature);
    const label = TASK_TYPES.indexOf(x.taskType);
    if (p.indexOf(Math.max(...p)) === label) right++;
    nll -= Math.log(Math.max(1e-12, p[label]));
  }
  return { accuracy: right / examples.length, nll: nll / examples.length };
}

/** The temperature that minimises the validation negative log-likelihood (a grid, then a finer one). */
function fitTemperature(model: TaskClassifierModel, validation: Example[]): number {
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

function main() {
  const seed = Number(arg("seed", "7"));
  const out = arg("out", path.join(import.meta.dirname, "../../lib/learning/task-classifier.model.json"));
  const trainSet = loadSplit("train");
  const validation = loadSplit("validation");
  const counts = (xs: Example[]) => Object.fromEntries(TASK_TYPES.map((t) => [t, xs.filter((x) => x.taskType === t).length])) as Record<TaskType, number>;
  console.log(`train ${trainSet.length}, validation ${validation.length}`);

  const vocab = vocabulary(trainSet, 2);
  const index = new Map(vocab.map((f, i) => [f, i]));
  const data = encode(trainSet, index);
  console.log(`${vocab.length} features`);

  let best: { model: TaskClassifierModel; accuracy: number; nll: number; l2: number; epochs: number } | null = null;
  for (const l2 of [1e-5, 1e-4, 1e-3]) {
    for (const epochs of [10, 25]) {
      const { w, b } = train(data, vocab.length, { l2, epochs, lr: 0.5, seed });
      const model = modelFrom(vocab, w, b, 1, {});
      const { accuracy, nll } = accuracyAndNll(model, validation);
      const fit = accuracyAndNll(model, trainSet);
      console.log(`l2 ${l2} epochs ${epochs}: train accuracy ${(fit.accuracy * 100).toFixed(1)}%; validation accuracy ${(accuracy * 100).toFixed(1)}%, nll ${nll.toFixed(3)}`);
      if (!best || accuracy > best.accuracy + 1e-9 || (Math.abs(accuracy - best.accuracy) < 1e-9 && nll < best.nll)) best = { model, accuracy, nll, l2, epochs };
    }
  }
  const chosen = best!;
  const temperature = fitTemperature(chosen.model, validation);
  const calibrated = accuracyAndNll(chosen.model, validation, temperature);
  const model: TaskClassifierModel = {
    ...chosen.model,
    temperature: Math.round(temperature * 1e4) / 1e4,
    meta: {
      trainedBy: "bench/classification/train.ts",
      seed,
      l2: chosen.l2,
      epochs: chosen.epochs,
      train: { n: trainSet.length, perTaskType: counts(trainSet) },
      validation: { n: validation.length, accuracy: Math.round(chosen.accuracy * 1e4) / 1e4, nllBefore: Math.round(chosen.nll * 1e4) / 1e4, nllAfter: Math.round(calibrated.nll * 1e4) / 1e4 },
      sources: "bench/classification/data/SOURCES.md",
    },
  };
  fs.writeFileSync(out, JSON.stringify(model) + "\n");
  console.log(`chose l2 ${chosen.l2}, ${chosen.epochs} epochs; temperature ${temperature.toFixed(2)} (validation nll ${chosen.nll.toFixed(3)} → ${calibrated.nll.toFixed(3)}); ${model.features.length} features kept; wrote ${path.relative(process.cwd(), out)} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB)`);
}

main();
