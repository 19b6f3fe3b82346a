/**
 * `npm run train:feedback`: trains the two feedback readers shipped in lib/learning
 * (bench/support/linear-training.ts), each on comments written for it, 80 / 20 train /
 * validation by a hash of the text:
 *  - the follow-up classifier (follow-up-classifier.model.json) on data/follow-ups.jsonl and
 *    data/follow-ups.languages.jsonl (the same in fourteen other languages): failed / thanks /
 *    rephrase / neutral; then reported (never chosen by) on data/follow-ups.languages.test.jsonl,
 *    written apart, per language;
 *  - the theme classifier (theme-classifier.model.json) on data/feedback-themes.jsonl and
 *    data/feedback-themes.languages.jsonl (fourteen other languages): the known themes of
 *    lib/learning/themes.ts, or other; then reported (never chosen by) on
 *    data/feedback-themes.test.jsonl and feedback-themes.languages.test.jsonl, comments written
 *    apart from the training ones.
 * The benchmark's sets (implicit.*, complaints.*, patterns.*) are never read here.
 *
 * Flags: --seed N (shuffle order, default 7), --bag K (shuffle orders averaged into each reader,
 * default 5, as for the task classifier).
 */
import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { FOLLOW_UP_LABELS } from "../../lib/learning/follow-up-classifier";
import { THEME_LABELS } from "../../lib/learning/theme-classifier";
import { BAG, bagFrom, trainLinearTextModel, type LabelledText } from "../support/linear-training";
import { SURE, linearTextClassifierFrom } from "../../lib/learning/linear-text-classifier";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const inValidation = (text: string) => createHash("sha256").update(text).digest()[0] % 100 < 20;

type Comment = LabelledText & { language?: string };

const readLabelled = (file: string, field: string): Comment[] =>
  fs
    .readFileSync(path.join(import.meta.dirname, "data", file), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, string>)
    .map((x) => ({ text: x.text, label: x[field], ...(x.language ? { language: x.language } : {}) }));

function trainReader(opts: { name: string; data: string[]; tests: string[]; field: string; labels: readonly string[]; out: string; seed: number; bag: number }) {
  const all = opts.data.flatMap((file) => readLabelled(file, opts.field));
  const trainSet = all.filter((x) => !inValidation(x.text));
  const validation = all.filter((x) => inValidation(x.text));
  console.log(`${opts.name}: train ${trainSet.length}, validation ${validation.length}`);
  const trained = trainLinearTextModel({ labels: opts.labels, trainSet, validation, seed: opts.seed, bag: opts.bag, grid: { l2: [1e-4, 1e-3, 1e-2], epochs: [10, 25, 50] } });
  const perLabel = (xs: LabelledText[]) => Object.fromEntries(opts.labels.map((l) => [l, xs.filter((x) => x.label === l).length]));
  // The test sets: read after everything is chosen, only to report.
  const classify = linearTextClassifierFrom(trained.model);
  // As the app reads them: calibrated, and toward even for what is in a script it did not learn (partlyRead).
  const reading = (xs: Comment[]) => {
    const read = xs.map((x) => ({ x, p: classify.probabilities(x.text) }));
    const right = (r: (typeof read)[number]) => opts.labels[r.p.indexOf(Math.max(...r.p))] === r.x.label;
    const sure = read.filter((r) => Math.max(...r.p) >= SURE);
    return { n: xs.length, accuracy: read.filter(right).length / Math.max(1, xs.length), sure: { n: sure.length, accuracy: sure.filter(right).length / Math.max(1, sure.length) } };
  };
  const tests = opts.tests.map((file) => {
    const testSet = readLabelled(file, opts.field);
    const languages = [...new Set(testSet.flatMap((x) => (x.language ? [x.language] : [])))];
    return {
      file: `bench/feedback/data/${file}`,
      ...reading(testSet),
      ...(languages.length ? { perLanguage: Object.fromEntries(languages.map((l) => [l, reading(testSet.filter((x) => x.language === l))])) } : {}),
    };
  });
  const model = {
    ...trained.model,
    meta: {
      trainedBy: "bench/feedback/train-readers.ts",
      seed: opts.seed,
      bag: opts.bag,
      l2: trained.l2,
      epochs: trained.epochs,
      train: { n: trainSet.length, perLabel: perLabel(trainSet) },
      validation: { n: validation.length, ...trained.validation },
      tests,
      data: `${opts.data.map((file) => `bench/feedback/data/${file}`).join(", ")} (written for this project; README.md there)`,
    },
  };
  const out = path.join(import.meta.dirname, "../../lib/learning", opts.out);
  fs.writeFileSync(out, JSON.stringify(model) + "\n");
  console.log(
    `${opts.name}: chose l2 ${trained.l2}, ${trained.epochs} epochs; temperature ${model.temperature.toFixed(2)} (validation accuracy ${(trained.validation.accuracy * 100).toFixed(1)}%, nll ${trained.validation.nllBefore.toFixed(3)} → ${trained.validation.nllAfter.toFixed(3)}); ${model.features.length} features kept; wrote ${path.relative(process.cwd(), out)} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB)`,
  );
  for (const test of tests) {
    console.log(
      `${opts.name}: test (${test.file}, ${test.n} comments, never used to choose): accuracy ${(test.accuracy * 100).toFixed(1)}%; sure (p ≥ ${SURE}) on ${test.sure.n}, right on ${(test.sure.accuracy * 100).toFixed(1)}% of those`,
    );
    if (test.perLanguage) console.log(`${opts.name}: per language: ${Object.entries(test.perLanguage).map(([l, r]) => `${l} ${(r.accuracy * 100).toFixed(0)}% (sure on ${r.sure.n} of ${r.n})`).join(", ")}`);
  }
}

const seed = Number(arg("seed", "7"));
const bag = bagFrom(arg("bag", String(BAG)));
trainReader({ name: "follow-ups", data: ["follow-ups.jsonl", "follow-ups.languages.jsonl"], tests: ["follow-ups.languages.test.jsonl"], field: "signal", labels: FOLLOW_UP_LABELS, out: "follow-up-classifier.model.json", seed, bag });
trainReader({ name: "themes", data: ["feedback-themes.jsonl", "feedback-themes.languages.jsonl"], tests: ["feedback-themes.test.jsonl", "feedback-themes.languages.test.jsonl"], field: "theme", labels: THEME_LABELS, out: "theme-classifier.model.json", seed, bag });
