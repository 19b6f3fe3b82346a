/**
 * The labelled corpus of developer requests and its fixed splits (bench/classification/data,
 * sources and licences in data/SOURCES.md):
 *  - train / validation: the requests written for training (data/written), 85 / 15 by a hash
 *    of the text, plus a hashed 30% of the published benchmark prompts (data/public) in train,
 *    plus public data sets' own training splits (data/public-train, e.g. GSM8K train), all in
 *    train;
 *  - test: requests written separately by another hand for testing only (data/test), never
 *    read by the training script;
 *  - published: the other 70% of the published benchmark prompts, never trained on (their
 *    categories are coarse, so they are scored at the coarse level);
 *  - probe: requests in twenty-seven voices (data/probe, three or six per file), short asks, exam
 *    questions and fifteen other languages,
 *    each file written by a hand that read none of the other data, never trained on: how the
 *    classifier meets new users' words (data/SOURCES.md says which file guided what was
 *    written for training).
 * A split depends only on the text, so adding data never moves an example between splits.
 */
import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { defaultRole, isTaskType, type TaskType } from "../../lib/domain";
import { textParts } from "../../lib/learning/text-features";

export interface Example {
  text: string;
  taskType: TaskType;
  origin: string;
  /** the language it is written in, where its file says (probe/languages.jsonl, probe/scripts.jsonl) */
  language?: string;
  /** the voice it was written in, where its file says (the probe files of voices) */
  voice?: string;
}

export type Split = "train" | "validation" | "test" | "published" | "probe";

const DATA = path.join(import.meta.dirname, "data");

/** 0..99, from the text alone. */
function bucketOf(text: string): number {
  return createHash("sha1").update(text).digest().readUInt16BE(0) % 100;
}

function readJsonl(file: string): Example[] {
  const origin = path.relative(DATA, file);
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l, i) => {
      const r = JSON.parse(l) as { text?: unknown; task_type?: unknown; language?: unknown; voice?: unknown };
      if (typeof r.text !== "string" || !isTaskType(r.task_type)) throw new Error(`${origin}:${i + 1}: needs "text" and a known "task_type"`);
      return {
        text: r.text,
        taskType: r.task_type,
        origin,
        ...(typeof r.language === "string" ? { language: r.language } : {}),
        ...(typeof r.voice === "string" ? { voice: r.voice } : {}),
      };
    });
}

function readDir(dir: string): Example[] {
  const full = path.join(DATA, dir);
  if (!fs.existsSync(full)) return [];
  return fs
    .readdirSync(full)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .flatMap((f) => readJsonl(path.join(full, f)));
}

/** One split of the corpus, duplicates (same text) removed; a text of the test or probe set is in no other split. */
export function loadSplit(split: Split): Example[] {
  const held = [...(split === "test" ? [] : readDir("test")), ...(split === "probe" ? [] : readDir("probe"))];
  const seen = new Set<string>(held.map((x) => x.text));
  const unique = (xs: Example[]) => xs.filter((x) => !seen.has(x.text) && seen.add(x.text));
  switch (split) {
    case "train":
      return unique([...readDir("written").filter((x) => bucketOf(x.text) >= 15), ...readDir("public").filter((x) => bucketOf(x.text) < 30), ...readDir("public-train")]);
    case "validation":
      return unique(readDir("written").filter((x) => bucketOf(x.text) < 15));
    case "test":
      return unique(readDir("test"));
    case "published":
      return unique(readDir("public").filter((x) => bucketOf(x.text) >= 30));
    case "probe":
      return unique(readDir("probe"));
  }
}

/** A text's words as the classifier reads them (text-features.ts: in every script it reads; Chinese and Japanese as pairs of characters). */
const wordsOf = (text: string) => new Set(textParts(text).words);

/**
 * The examples of `split` that have no near-duplicate in the training data: no training
 * text shares ≥ `maxJaccard` of their words. Written by the same kind of hand, the test set
 * holds some close paraphrases of training requests; this figure leaves them out.
 */
export function withoutNearDuplicates(examples: Example[], train: Example[], maxJaccard = 0.5): Example[] {
  const trainWords = train.map((x) => wordsOf(x.text));
  return examples.filter((x) => {
    const a = wordsOf(x.text);
    return trainWords.every((b) => {
      let shared = 0;
      for (const w of a) if (b.has(w)) shared++;
      return shared / Math.max(1, a.size + b.size - shared) < maxJaccard;
    });
  });
}

/**
 * The coarse family of a task type: the role the static table sends it to (maths → the
 * math specialist; algorithm and the code tasks → the lead developer; architecture → the
 * architect; explanation and general → the router), so a coarse hit still reaches the
 * right kind of model.
 */
export function coarse(t: TaskType): "code" | "maths" | "architecture" | "general" {
  const role = defaultRole(t);
  return role === "math" ? "maths" : role === "architect" ? "architecture" : role === "router" ? "general" : "code";
}

/** A follow-up in a conversation: the user's request before it, and its own task type in that context. */
export interface FollowUpExample {
  previous: string;
  followup: string;
  taskType: TaskType;
}

/**
 * The follow-up sets (data/follow-ups): dev.jsonl, written while choosing how a follow-up is
 * read (lib/learning/request-in-conversation.ts); test.jsonl, written apart by a hand that saw
 * only TAXONOMY.md and never used to choose. Neither is read by the training script.
 */
export function loadFollowUps(split: "dev" | "test"): FollowUpExample[] {
  const file = path.join(DATA, "follow-ups", `${split}.jsonl`);
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l, i) => {
      const r = JSON.parse(l) as { previous?: unknown; followup?: unknown; task_type?: unknown };
      if (typeof r.previous !== "string" || typeof r.followup !== "string" || !isTaskType(r.task_type)) throw new Error(`follow-ups/${split}.jsonl:${i + 1}: needs "previous", "followup" and a known "task_type"`);
      return { previous: r.previous, followup: r.followup, taskType: r.task_type };
    });
}
