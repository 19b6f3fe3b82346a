/**
 * `npm run bench:grounding [-- --split dev|test]`: does the knowledge that reaches a model's
 * prompt belong to the request? A company's internal documents are uploaded through the real
 * ingestion path (parse, chunk, embed, index) into a fresh embedded database; then each
 * request of the split is embedded and retrieved for as the request path does
 * (lib/orchestrator/retrieve-knowledge.ts), with the simulator standing in for the embedding
 * model. Reported side by side with the rule it replaced (cosine similarity ≥ 0.45, a constant):
 *
 * - requests the documents answer: share with a relevant section in the prompt (recall), and
 *   the share of the chunks put in their prompts that are relevant (precision);
 * - requests the documents do not answer (half far from them, half near in words): share
 *   given no knowledge at all;
 * - a short follow-up after each answered request ("and in code?"), planned by planRequest as
 *   the request path plans it: is the relevant section given, read alone and in its conversation?
 *
 * Data: bench/knowledge/data/grounding/{dev,test}/ (documents and requests written by hand for
 * this project, the test split by another hand and never used to choose anything). Writes
 * bench/results/grounding-<split>.json.
 */
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { parseArgs } from "node:util";
import { openPglite } from "../../lib/db/pglite";
import { migrate } from "../../lib/db/migrate";
import { useDatabase } from "../../lib/db";
import { OllamaPool } from "../../lib/ollama";
import { startSimulator } from "../../sim";
import { registerKnowledgeJobs } from "../../lib/knowledge/jobs";
import { uploadDocuments } from "../../lib/knowledge/documents";
import { drainJobs } from "../../lib/jobs/worker";
import { embedTexts } from "../../lib/knowledge/embed";
import { searchKnowledge } from "../../lib/knowledge/search";
import { GROUNDING_MAX_CHUNKS, GROUNDING_MIN_TEXT_RANK } from "../../lib/knowledge/grounding";
import { retrieveKnowledge } from "../../lib/orchestrator/retrieve-knowledge";
import { planRequest } from "../../lib/orchestrator/plan";
import { currentRoster } from "../../lib/roster/current";
import { LOCAL_OPERATOR_CLAIMS } from "../../lib/auth/claims";
import type { Identity } from "../../lib/auth";

const ROOT = path.resolve(import.meta.dirname, "../..");
const { values } = parseArgs({ options: { split: { type: "string", default: "dev" } } });
const split = values.split!;
if (!["dev", "test"].includes(split)) throw new Error(`--split dev|test, not ${split}`);
const dir = path.join(ROOT, "bench/knowledge/data/grounding", split);

interface Case {
  text: string;
  relevant: { doc: string; section: string }[];
}

/** Follow-ups that say nothing of their own (four words or fewer: read with the request before them). */
const FOLLOW_UPS = ["and in code?", "more detail please", "why?", "what about staging?", "an example?", "then what?"];

/** The cosine similarity the request path required before it judged against the model's background. */
const FORMER_MIN_SIMILARITY = 0.45;

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

async function main() {
  const db = await openPglite();
  await migrate(db, { local: true });
  useDatabase(db);
  const sim = await startSimulator({ port: 0, seed: 3, timeScale: 0 });
  (globalThis as unknown as { __eliteOllamaPool?: OllamaPool }).__eliteOllamaPool = new OllamaPool({ hosts: [sim.url], timeouts: { firstTokenMs: 5000, totalMs: 60_000 } });
  registerKnowledgeJobs();
  const operator: Identity = { userId: LOCAL_OPERATOR_CLAIMS.sub, claims: LOCAL_OPERATOR_CLAIMS, isOperator: true, source: "local" };

  const files = fs.readdirSync(path.join(dir, "docs")).filter((f) => f.endsWith(".md")).sort();
  await uploadDocuments(operator, files.map((name) => ({ name, bytes: fs.readFileSync(path.join(dir, "docs", name)) })));
  await drainJobs({ budgetMs: 5 * 60_000 });

  const cases: Case[] = fs.readFileSync(path.join(dir, "requests.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const model = (await currentRoster()).embedding;
  const isRelevant = (c: Case, topic: string) => c.relevant.some((r) => topic.startsWith(`${r.doc} › `) && topic.endsWith(` › ${r.section}`));

  const rules = {
    calibrated: async (text: string, embedding: number[]) => (await retrieveKnowledge(text, embedding, model, operator.userId)).map((h) => h.topic),
    former: async (text: string, embedding: number[]) =>
      (
        await searchKnowledge({
          query: text.slice(0, 4000),
          embedding,
          embeddingModel: model,
          limit: GROUNDING_MAX_CHUNKS * 2,
          minSimilarity: FORMER_MIN_SIMILARITY,
          minTextRank: GROUNDING_MIN_TEXT_RANK,
          filters: { viewerId: operator.userId },
        })
      ).hits.map((h) => h.topic),
  };
  const report: Record<string, unknown> = {};
  const embeddings = await embedTexts(model, "query", cases.map((c) => c.text));
  for (const [name, rule] of Object.entries(rules)) {
    let answered = 0;
    let found = 0;
    let put = 0;
    let putRelevant = 0;
    let unanswered = 0;
    let clean = 0;
    const misses: string[] = [];
    const strays: string[] = [];
    for (const [i, c] of cases.entries()) {
      // What reaches a prompt: the best GROUNDING_MAX_CHUNKS (a large window holds them all).
      const topics = (await rule(c.text, embeddings[i])).slice(0, GROUNDING_MAX_CHUNKS);
      if (c.relevant.length) {
        answered++;
        if (topics.some((t) => isRelevant(c, t))) found++;
        else misses.push(c.text);
        put += topics.length;
        putRelevant += topics.filter((t) => isRelevant(c, t)).length;
      } else {
        unanswered++;
        if (topics.length === 0) clean++;
        else strays.push(`${c.text} → ${topics[0]}`);
      }
    }
    report[name] = {
      answeredWithRelevantSection: round(found / answered),
      precisionOfChunksGiven: round(put ? putRelevant / put : 1),
      chunksGivenPerAnsweredRequest: round(put / answered, 2),
      unansweredGivenNothing: round(clean / unanswered),
      of: { answered, unanswered },
      misses,
      strays,
    };
    console.log(
      `${split} ${name}: relevant section given ${found}/${answered}, precision ${round(put ? putRelevant / put : 1)}, ` +
        `${round(put / answered, 2)} chunks per request; unanswered given nothing ${clean}/${unanswered}`,
    );
  }
  // Follow-ups: each answered request, then a short follow-up that says nothing of its own
  // (written here, the same for every split: nothing is chosen with them). Planned as the
  // request path plans it, alone and after the request it follows.
  let alone = 0;
  let inConversation = 0;
  let answered = 0;
  for (const [i, c] of cases.entries()) {
    if (!c.relevant.length) continue;
    answered++;
    const prompt = FOLLOW_UPS[i % FOLLOW_UPS.length];
    const plan = async (history: { role: "user" | "assistant"; content: string }[]) =>
      (await planRequest({ experimentUnit: `bench-${i}`, userId: operator.userId, prompt, history })).retrieved.slice(0, GROUNDING_MAX_CHUNKS).map((h) => h.topic);
    if ((await plan([])).some((t) => isRelevant(c, t))) alone++;
    if ((await plan([{ role: "user", content: c.text }, { role: "assistant", content: "Here is how…" }])).some((t) => isRelevant(c, t))) inConversation++;
  }
  report.followUps = { followUps: FOLLOW_UPS, relevantSectionGiven: { alone: round(alone / answered), inConversation: round(inConversation / answered) }, of: answered };
  console.log(`${split} follow-ups ("${FOLLOW_UPS.join('", "')}"): relevant section given read alone ${alone}/${answered}, after the request they follow ${inConversation}/${answered}`);

  const out = { split, generatedBy: "bench/knowledge/grounding.ts", date: new Date().toISOString(), loadAverage: os.loadavg().map((x) => round(x, 2)), documents: files.length, requests: cases.length, ...report };
  fs.writeFileSync(path.join(ROOT, `bench/results/grounding-${split}.json`), JSON.stringify(out, null, 1) + "\n");
  await sim.close();
  await db.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
