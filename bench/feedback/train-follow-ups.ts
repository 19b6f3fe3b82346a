/**
 * `npm run train:follow-ups`: trains the follow-up reader's classifier shipped in
 * lib/learning/follow-up-classifier.model.json (bench/support/linear-training.ts) on
 * bench/feedback/data/follow-ups.jsonl: follow-up messages written for training it, labelled
 * failed / thanks / rephrase / neutral; 80 / 20 train / validation by a hash of the text.
 * The benchmark's follow-up sets (implicit.dev/test.jsonl) are never read here.
 *
 * Flags: --seed N (shuffle order, default 7), --out PATH.
 */
import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { FOLLOW_UP_LABELS } from "../../lib/learning/follow-up-classifier";
import { trainLinearTextModel, type LabelledText } from "../support/linear-training";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const DATA = path.join(import.meta.dirname, "data/follow-ups.jsonl");
const inValidation = (text: string) => createHash("sha256").update(text).digest()[0] % 100 < 20;

function main() {
  const seed = Number(arg("seed", "7"));
  const out = arg("out", path.join(import.meta.dirname, "../../lib/learning/follow-up-classifier.model.json"));
  const all: LabelledText[] = fs
    .readFileSync(DATA, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { text: string; signal: string })
    .map((x) => ({ text: x.text, label: x.signal }));
  const trainSet = all.filter((x) => !inValidation(x.text));
  const validation = all.filter((x) => inValidation(x.text));
  console.log(`train ${trainSet.length}, validation ${validation.length}`);
  const trained = trainLinearTextModel({ labels: FOLLOW_UP_LABELS, trainSet, validation, seed, grid: { l2: [1e-4, 1e-3, 1e-2], epochs: [10, 25, 50] } });
  const perLabel = (xs: LabelledText[]) => Object.fromEntries(FOLLOW_UP_LABELS.map((l) => [l, xs.filter((x) => x.label === l).length]));
  const model = {
    ...trained.model,
    meta: {
      trainedBy: "bench/feedback/train-follow-ups.ts",
      seed,
      l2: trained.l2,
      epochs: trained.epochs,
      train: { n: trainSet.length, perLabel: perLabel(trainSet) },
      validation: { n: validation.length, ...trained.validation },
      data: "bench/feedback/data/follow-ups.jsonl (written for this project; README.md there)",
    },
  };
  fs.writeFileSync(out, JSON.stringify(model) + "\n");
  console.log(`chose l2 ${trained.l2}, ${trained.epochs} epochs; temperature ${model.temperature.toFixed(2)} (validation accuracy ${(trained.validation.accuracy * 100).toFixed(1)}%, nll ${trained.validation.nllBefore.toFixed(3)} → ${trained.validation.nllAfter.toFixed(3)}); ${model.features.length} features kept; wrote ${path.relative(process.cwd(), out)} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB)`);
}

main();
