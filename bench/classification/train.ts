/**
 * `npm run train:classifier`: trains the task classifier shipped in
 * lib/learning/task-classifier.model.json from the train split, chooses its regularisation
 * and length of training on the validation split by its log-loss once the temperature that
 * calibrates its probabilities is fitted there, and writes the artefact
 * (bench/support/linear-training.ts). The test, published and probe splits are never read here.
 *
 * Flags: --seed N (shuffle order, default 7), --bag K (how many shuffle orders are trained and
 * averaged into one model, default 5: one order alone moves a probe by about a point), --out PATH.
 */
import fs from "node:fs";
import path from "node:path";
import { TASK_TYPES, type TaskType } from "../../lib/domain";
import { BAG, bagFrom, trainLinearTextModel } from "../support/linear-training";
import { loadSplit, type Example } from "./corpus";

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function main() {
  const seed = Number(arg("seed", "7"));
  const bag = bagFrom(arg("bag", String(BAG)));
  const out = arg("out", path.join(import.meta.dirname, "../../lib/learning/task-classifier.model.json"));
  const trainSet = loadSplit("train");
  const validation = loadSplit("validation");
  const counts = (xs: Example[]) => Object.fromEntries(TASK_TYPES.map((t) => [t, xs.filter((x) => x.taskType === t).length])) as Record<TaskType, number>;
  console.log(`train ${trainSet.length}, validation ${validation.length}`);
  const labelled = (xs: Example[]) => xs.map((x) => ({ text: x.text, label: x.taskType }));
  // Only task types with examples are labels: one without any (completion: fill-in-the-middle
  // requests are labelled by their endpoint, never classified) would still win a few requests
  // on whatever its untrained weights say.
  const labels = TASK_TYPES.filter((t) => trainSet.some((x) => x.taskType === t));
  const trained = trainLinearTextModel({ labels, trainSet: labelled(trainSet), validation: labelled(validation), seed, bag });
  const model = {
    ...trained.model,
    meta: {
      trainedBy: "bench/classification/train.ts",
      seed,
      bag,
      l2: trained.l2,
      epochs: trained.epochs,
      train: { n: trainSet.length, perTaskType: counts(trainSet) },
      validation: { n: validation.length, ...trained.validation },
      sources: "bench/classification/data/SOURCES.md",
    },
  };
  fs.writeFileSync(out, JSON.stringify(model) + "\n");
  console.log(`chose l2 ${trained.l2}, ${trained.epochs} epochs; temperature ${model.temperature.toFixed(2)} (validation nll ${trained.validation.nllBefore.toFixed(3)} → ${trained.validation.nllAfter.toFixed(3)}); ${model.features.length} features kept; wrote ${path.relative(process.cwd(), out)} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB)`);
}

main();
