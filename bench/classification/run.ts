/**
 * `npm run bench:classification`: the shipped task classifier on every split of the corpus
 * (bench/classification/corpus.ts): exact and coarse accuracy, accuracy per task type, the
 * confusion matrix, the reliability table (is a confidence of 0.8 right 80% of the time?)
 * and the time per request. Train and validation were used to fit it; test, published and
 * probe never were, and are the figures to quote.
 *
 * Flags: --out PATH (default bench/results/classification.json).
 */
import fs from "node:fs";
import path from "node:path";
import { TASK_TYPES, type TaskType } from "../../lib/domain";
import { taskClassifier } from "../../lib/learning/shipped-task-classifier";
import { coarse, loadFollowUps, loadSplit, withoutNearDuplicates, type Example, type FollowUpExample, type Split } from "./corpus";
import { classifyInConversation } from "../../lib/learning/request-in-conversation";
import { seededRng } from "../../lib/learning/random";

const BINS = [0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001];

export interface SplitReport {
  n: number;
  accuracy: number;
  coarseAccuracy: number;
  perTaskType: Record<string, { n: number; recall: number | null; precision: number | null }>;
  /** confusion[truth][predicted] */
  confusion: Record<string, Record<string, number>>;
  reliability: { from: number; to: number; n: number; meanConfidence: number | null; accuracy: number | null }[];
  /** expected calibration error: Σ bin share × |accuracy − mean confidence| */
  ece: number;
  /** a few misclassified examples, to read */
  errors: { text: string; truth: TaskType; predicted: TaskType; confidence: number }[];
}

export function evaluate(examples: Example[], opts: { coarseOnly?: boolean } = {}): SplitReport {
  const clf = taskClassifier();
  const confusion = Object.fromEntries(TASK_TYPES.map((t) => [t, Object.fromEntries(TASK_TYPES.map((u) => [u, 0]))])) as Record<TaskType, Record<TaskType, number>>;
  const bins = BINS.slice(0, -1).map((from, i) => ({ from, to: Math.min(1, BINS[i + 1]), n: 0, conf: 0, right: 0 }));
  let right = 0;
  let coarseRight = 0;
  const errors: SplitReport["errors"] = [];
  for (const x of examples) {
    const r = clf.classify(x.text);
    confusion[x.taskType][r.taskType]++;
    const ok = opts.coarseOnly ? coarse(r.taskType) === coarse(x.taskType) : r.taskType === x.taskType;
    if (r.taskType === x.taskType) right++;
    if (coarse(r.taskType) === coarse(x.taskType)) coarseRight++;
    const bin = bins.find((b) => r.confidence >= b.from && r.confidence < BINS[bins.indexOf(b) + 1])!;
    bin.n++;
    bin.conf += r.confidence;
    if (ok) bin.right++;
    else if (errors.length < 40) errors.push({ text: x.text.slice(0, 160), truth: x.taskType, predicted: r.taskType, confidence: Math.round(r.confidence * 100) / 100 });
  }
  const n = examples.length;
  const perTaskType = Object.fromEntries(
    TASK_TYPES.map((t) => {
      const truth = TASK_TYPES.reduce((s, u) => s + confusion[t][u], 0);
      const predicted = TASK_TYPES.reduce((s, u) => s + confusion[u][t], 0);
      return [t, { n: truth, recall: truth ? confusion[t][t] / truth : null, precision: predicted ? confusion[t][t] / predicted : null }];
    }),
  );
  const reliability = bins.map((b) => ({ from: b.from, to: b.to, n: b.n, meanConfidence: b.n ? b.conf / b.n : null, accuracy: b.n ? b.right / b.n : null }));
  const ece = bins.reduce((s, b) => s + (b.n ? (b.n / n) * Math.abs(b.right / b.n - b.conf / b.n) : 0), 0);
  return { n, accuracy: right / n, coarseAccuracy: coarseRight / n, perTaskType, confusion, reliability, ece, errors };
}

function timing(examples: Example[]) {
  const clf = taskClassifier();
  const texts = examples.map((x) => x.text);
  for (const t of texts.slice(0, 200)) clf.classify(t); // warm up
  const us: number[] = [];
  for (let round = 0; round < 3; round++)
    for (const t of texts) {
      const t0 = process.hrtime.bigint();
      clf.classify(t);
      us.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  us.sort((a, b) => a - b);
  const q = (p: number) => Math.round(us[Math.min(us.length - 1, Math.floor(p * us.length))] * 10) / 10;
  return { requests: us.length, p50Us: q(0.5), p99Us: q(0.99), maxUs: q(1) };
}

const pct = (x: number | null) => (x === null ? "  –  " : `${(x * 100).toFixed(1)}%`.padStart(6));

function print(name: string, r: SplitReport) {
  console.log(`\n## ${name}: n=${r.n}  exact ${pct(r.accuracy)}  coarse ${pct(r.coarseAccuracy)}  ECE ${r.ece.toFixed(3)}`);
  console.log("task type                  n  recall  precision");
  for (const t of TASK_TYPES) {
    const p = r.perTaskType[t];
    if (p.n) console.log(`${t.padEnd(25)}${String(p.n).padStart(4)}  ${pct(p.recall)}  ${pct(p.precision)}`);
  }
  console.log("confusion (rows: truth; columns: " + TASK_TYPES.map((t) => t.slice(0, 5)).join(" ") + ")");
  for (const t of TASK_TYPES) if (r.perTaskType[t].n) console.log(`${t.padEnd(25)}` + TASK_TYPES.map((u) => String(r.confusion[t][u]).padStart(6)).join(""));
  console.log("reliability: confidence bin → n, mean confidence, accuracy");
  for (const b of r.reliability) if (b.n) console.log(`  [${b.from.toFixed(2)}, ${b.to.toFixed(2)})  ${String(b.n).padStart(4)}  ${pct(b.meanConfidence)}  ${pct(b.accuracy)}`);
}


/** Exact accuracy on follow-ups read alone and in their conversation, overall and by whether the follow-up keeps the task type of the request before it. */
export function followUpReport(examples: FollowUpExample[]) {
  const clf = taskClassifier();
  const previousType = new Map(examples.map((x) => [x.previous, clf.classify(x.previous).taskType]));
  const score = (xs: FollowUpExample[]) => ({
    n: xs.length,
    alone: xs.filter((x) => clf.classify(x.followup).taskType === x.taskType).length / Math.max(1, xs.length),
    inConversation: xs.filter((x) => classifyInConversation(clf, x.followup, x.previous).taskType === x.taskType).length / Math.max(1, xs.length),
  });
  // "Continuing": the follow-up's label is the task type the request before it was classified as.
  const continuing = examples.filter((x) => previousType.get(x.previous) === x.taskType);
  return { ...score(examples), continuing: score(continuing), switching: score(examples.filter((x) => !continuing.includes(x))) };
}

/**
 * Requests that are not follow-ups, each read after an unrelated request of another task type
 * (drawn with a fixed seed), as in one long chat of unrelated questions: what reading a
 * request in its conversation costs when the conversation has nothing to say about it.
 */
export function afterUnrelatedReport(examples: Example[], seed = 11) {
  const clf = taskClassifier();
  const rng = seededRng(seed);
  let alone = 0;
  let inConversation = 0;
  for (const x of examples) {
    let before = examples[Math.floor(rng() * examples.length)];
    while (before.taskType === x.taskType) before = examples[Math.floor(rng() * examples.length)];
    if (clf.classify(x.text).taskType === x.taskType) alone++;
    if (classifyInConversation(clf, x.text, before.text).taskType === x.taskType) inConversation++;
  }
  return { n: examples.length, alone: alone / examples.length, inConversation: inConversation / examples.length };
}

function main() {
  const i = process.argv.indexOf("--out");
  const out = i >= 0 ? process.argv[i + 1] : path.join(import.meta.dirname, "../results/classification.json");
  const splits: Split[] = ["train", "validation", "test", "published", "probe"];
  const reports = Object.fromEntries(splits.map((s) => [s, evaluate(loadSplit(s), { coarseOnly: s === "published" })])) as Record<Split, SplitReport>;
  for (const s of splits) print(s === "published" ? "published (coarse labels: score the coarse figure)" : s, reports[s]);
  const trainedOn = [...loadSplit("train"), ...loadSplit("validation")];
  const fresh = evaluate(withoutNearDuplicates(loadSplit("test"), trainedOn));
  print("test without near-duplicates of training requests (word Jaccard < 0.5)", fresh);
  // Each probe file apart: each was written by its own hand in its own voices (data/SOURCES.md says which one guided training).
  const probe = loadSplit("probe");
  const origins = [...new Set(probe.map((x) => x.origin))];
  const probeFiles = Object.fromEntries(origins.map((origin) => [origin, evaluate(probe.filter((x) => x.origin === origin))]));
  for (const [origin, r] of Object.entries(probeFiles)) print(`probe, ${origin}`, r);
  // The same without the texts a training writer happened to write nearly alike (classic textbook questions, say).
  const probeFilesFresh = Object.fromEntries(origins.map((origin) => [origin, evaluate(withoutNearDuplicates(probe.filter((x) => x.origin === origin), trainedOn))]));
  for (const [origin, r] of Object.entries(probeFilesFresh)) print(`probe, ${origin}, without near-duplicates of training requests`, r);
  // A probe file in several languages or voices, per language and per voice (exact / coarse).
  const perFacet = (facet: "language" | "voice") => {
    const out: Record<string, Record<string, { n: number; exact: number; coarse: number }>> = {};
    for (const origin of origins) {
      const inFile = probe.filter((x) => x.origin === origin);
      if (!inFile.some((x) => x[facet])) continue;
      out[origin] = {};
      for (const value of new Set(inFile.map((x) => x[facet] ?? "(none)"))) {
        const r = evaluate(inFile.filter((x) => (x[facet] ?? "(none)") === value));
        out[origin][value] = { n: r.n, exact: r.accuracy, coarse: r.coarseAccuracy };
      }
      console.log(`\n## probe, ${origin}, per ${facet}: ${Object.entries(out[origin]).map(([v, r]) => `${v} ${pct(r.exact)} / ${pct(r.coarse)} (n=${r.n})`).join(", ")}`);
    }
    return out;
  };
  const probeLanguages = perFacet("language");
  const probeVoices = perFacet("voice");
  // Follow-ups in a conversation, read alone (as before 2026-12-07) and in their conversation (as the app reads them).
  const followUps = Object.fromEntries((["dev", "test"] as const).map((split) => [split, followUpReport(loadFollowUps(split))]));
  for (const [split, r] of Object.entries(followUps)) {
    console.log(`\n## follow-ups, ${split}: n=${r.n}  in their conversation ${pct(r.inConversation)} exact  (read alone ${pct(r.alone)})  continuing the request before ${pct(r.continuing.inConversation)} of ${r.continuing.n}, switching ${pct(r.switching.inConversation)} of ${r.switching.n} (alone ${pct(r.switching.alone)})`);
  }
  // The same reading where the request before is unrelated: validation (chosen on) and test + probe (measured).
  const afterUnrelated = { validation: afterUnrelatedReport(loadSplit("validation")), testAndProbe: afterUnrelatedReport([...loadSplit("test"), ...loadSplit("probe")]) };
  for (const [split, r] of Object.entries(afterUnrelated)) console.log(`## after an unrelated request, ${split}: n=${r.n}  in their conversation ${pct(r.inConversation)} exact  (read alone ${pct(r.alone)})`);
  const time = timing(loadSplit("test"));
  console.log(`\ntime per request: p50 ${time.p50Us} µs, p99 ${time.p99Us} µs over ${time.requests} classifications`);
  const meta = taskClassifier().model.meta;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ model: meta, time, splits: { ...reports, testWithoutNearDuplicates: fresh }, probeFiles, probeFilesWithoutNearDuplicates: probeFilesFresh, probeLanguages, probeVoices, followUps, afterUnrelated }, null, 2) + "\n");
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) main();
