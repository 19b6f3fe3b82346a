import "server-only";
import { z } from "zod";
import { asSystem, type Queryable } from "@/lib/db";
import { recordAudit } from "@/lib/db/queries/audit";
import { adaptationsByFingerprint, insertAdaptation, interactionsForAnalysis, listExperiments, upsertPromptingPattern, type AdaptationRow, type AnalysisRow } from "@/lib/db/queries/adaptations";
import { getLabelledVersion } from "@/lib/db/queries/config-versions";
import { getSettings, putSetting } from "@/lib/db/queries/app-settings";
import { getOllamaPool } from "@/lib/ollama";
import { isTaskType, type TaskType } from "@/lib/domain";
import { interactionSuccess, type Roster } from "@/lib/domain";
import { currentRoster } from "@/lib/roster/current";
import { betaMean, credibleInterval, effectSize, posterior, probabilityBGreaterThanAExact } from "./beta";
import { seededRng } from "./random";

import { groupFeedback, type FeedbackText, type ThemeGroup } from "./themes";
import { applyChange, fingerprintOf, kindOf, type ProposedChange } from "./proposals";
import { paramArmsFor } from "./params";
import { loadCycleSettings } from "./cycle-settings";
import { startExperiment, SYSTEM, type Actor } from "./engine";

/**
 * The Learning Director: an analysis run over the interactions since the last run. It
 * measures outcomes per (model, task type), routing misses (users naming a better model),
 * fallback rescues, parameter arms and themes in feedback; writes `prompting` learning
 * patterns; and proposes changes with evidence (counts, effect size with a 95% interval,
 * example interactions), expected effect and risk. Statistics decide what is proposed; the
 * router model only names feedback groups no known theme covers and words their instruction.
 * A proposal like one rejected (or rolled back) before is made again only with at least as
 * much new evidence (supporting interactions after that decision) as the rejected one had.
 */
export const MIN_THEME_COUNT = 3;
export const MIN_ARM_SAMPLES = 10;
export const MIN_ROUTING_MISSES = 3;

export interface Progress {
  stage: string;
  progress: number;
}

export interface CellStats {
  model: string;
  taskType: string;
  n: number;
  successes: number;
  rate: number;
  interval: { lower: number; upper: number };
  failed: number;
}

export interface AnalysisSummary {
  since: string | null;
  until: string;
  interactions: number;
  cells: CellStats[];
  routingMisses: { taskType: string; model: string; count: number }[];
  fallbackRescues: { taskType: string; model: string; rescued: number }[];
  themes: { model: string; taskType: string; theme: string; label: string; count: number }[];
  proposals: { id: string; title: string; kind: string; risk: string }[];
  skipped: { fingerprint: string; why: string }[];
  experimentsStarted: string[];
}

interface Candidate {
  change: ProposedChange;
  fingerprint: string;
  title: string;
  description: string;
  model: string | null;
  taskType: string;
  evidence: Record<string, unknown> & { count: number; examples: string[] };
  expected: Record<string, unknown>;
  risk: "low" | "medium" | "high";
  /** Supporting interactions with their time, to count evidence newer than a rejection. */
  support: { id: string; at: Date }[];
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const rnd = (x: number) => Math.round(x * 1000) / 1000;

function interval(successes: number, n: number) {
  const i = credibleInterval(posterior(successes, n));
  return { lower: rnd(i.lower), upper: rnd(i.upper) };
}

/** Success of rows a vs rows b as an effect size (b − a) with its 95% interval. */
function compare(aS: number, aN: number, bS: number, bN: number, seed: number) {
  const e = effectSize(posterior(aS, aN), posterior(bS, bN), seededRng(seed), { draws: 4000 });
  return { difference: rnd(e.difference), interval: { lower: rnd(e.interval.lower), upper: rnd(e.interval.upper) }, pBetter: rnd(probabilityBGreaterThanAExact(posterior(aS, aN), posterior(bS, bN))) };
}

function feedbackTexts(rows: AnalysisRow[]): FeedbackText[] {
  const out: FeedbackText[] = [];
  for (const r of rows) {
    if (!r.model_used || !r.task_type) continue;
    const f = r.feedback as { tags?: unknown; correction?: unknown; comment?: unknown };
    const tags = Array.isArray(f.tags) ? f.tags.filter((t): t is string => typeof t === "string") : [];
    const text = [f.correction, f.comment].filter((t): t is string => typeof t === "string").join(" ");
    if (tags.length === 0 && !text.trim()) continue;
    out.push({ id: r.id, model: r.model_used, taskType: r.task_type, tags, text });
  }
  return out;
}

const namingSchema = z.object({ name: z.string().min(1).max(80), instruction: z.string().min(3).max(300) });
const NAMING_FORMAT = z.toJSONSchema(namingSchema) as Record<string, unknown>;

/** The router model names a group of feedback no known theme covers (best effort). */
async function nameGroup(roster: Roster, g: ThemeGroup, signal?: AbortSignal): Promise<{ name: string; instruction: string } | null> {
  try {
    const res = await getOllamaPool().chat({
      model: roster.roles.router,
      format: NAMING_FORMAT,
      options: { temperature: 0, num_predict: 200 },
      signal,
      messages: [
        {
          role: "system",
          content:
            "You name themes in user feedback on a coding assistant's answers. Answer as JSON: name (a few words) and instruction (one imperative sentence to add to the assistant's system prompt that addresses the feedback).",
        },
        { role: "user", content: `Feedback mentioning "${g.keyword}":\n${(g.samples ?? []).map((s) => `- ${s}`).join("\n")}` },
      ],
    });
    return namingSchema.parse(JSON.parse(res.content));
  } catch {
    return null;
  }
}

function cellStats(rows: AnalysisRow[]): Map<string, CellStats> {
  const cells = new Map<string, CellStats>();
  for (const r of rows) {
    if (!r.model_used || !r.task_type) continue;
    const s = interactionSuccess(r);
    if (s === null) continue;
    const key = `${r.model_used}|${r.task_type}`;
    const c = cells.get(key) ?? { model: r.model_used, taskType: r.task_type, n: 0, successes: 0, rate: 0, interval: { lower: 0, upper: 1 }, failed: 0 };
    c.n++;
    if (s) c.successes++;
    if (r.status === "failed") c.failed++;
    cells.set(key, c);
  }
  for (const c of cells.values()) {
    c.rate = rnd(betaMean(posterior(c.successes, c.n)));
    c.interval = interval(c.successes, c.n);
  }
  return cells;
}

function themeCandidates(groups: ThemeGroup[], rows: AnalysisRow[], cells: Map<string, CellStats>, roster: Roster): Candidate[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: Candidate[] = [];
  for (const g of groups) {
    if (g.interactionIds.length < MIN_THEME_COUNT || !g.instruction || !isTaskType(g.taskType)) continue;
    const role = roster.roleOf(g.model);
    if (!role) continue;
    const cell = cells.get(`${g.model}|${g.taskType}`);
    const members = new Set(g.interactionIds);
    const cellRows = rows.filter((r) => r.model_used === g.model && r.task_type === g.taskType);
    let tS = 0, tN = 0, oS = 0, oN = 0;
    for (const r of cellRows) {
      const s = interactionSuccess(r);
      if (s === null) continue;
      if (members.has(r.id)) { tN++; if (s) tS++; } else { oN++; if (s) oS++; }
    }
    const change: ProposedChange = { type: "append_instruction", role, taskType: g.taskType, instruction: g.instruction };
    const effect = compare(tS, tN, oS, oN, g.interactionIds.length);
    out.push({
      change,
      fingerprint: fingerprintOf(change, g.themeId),
      title: `Add to ${g.model}'s ${g.taskType.replace(/_/g, " ")} prompt: "${g.instruction}"`,
      description: `${g.interactionIds.length} of ${cellRows.length} ${g.model} answers to ${g.taskType.replace(/_/g, " ")} requests drew feedback "${g.label.toLowerCase()}". The prompt gets one instruction appended; the rest stays as it is.`,
      model: g.model,
      taskType: g.taskType,
      evidence: {
        count: g.interactionIds.length,
        theme: g.themeId,
        themeLabel: g.label,
        answers: cellRows.length,
        successWithTheme: { successes: tS, n: tN, interval: interval(tS, tN) },
        successOthers: { successes: oS, n: oN, interval: interval(oS, oN) },
        effectSize: { ...effect, of: "success rate without the complaint − with it" },
        examples: g.interactionIds.slice(0, 5),
      },
      expected: {
        metric: `success rate of ${g.model} on ${g.taskType}`,
        from: cell?.rate ?? null,
        toward: oN ? rnd(betaMean(posterior(oS, oN))) : null,
        text: `fewer "${g.label.toLowerCase()}" complaints (${g.interactionIds.length} of ${cellRows.length} answers now)`,
      },
      risk: "medium",
      support: g.interactionIds.map((id) => ({ id, at: new Date(byId.get(id)?.created_at ?? 0) })),
    });
  }
  return out;
}

function paramKey(p: Record<string, number> | undefined): string | null {
  if (!p || typeof p.temperature !== "number") return null;
  return JSON.stringify({ temperature: p.temperature, num_predict: p.num_predict, num_ctx: p.num_ctx });
}

function parameterCandidates(rows: AnalysisRow[]): Candidate[] {
  const cells = new Map<string, Map<string, { s: number; n: number; rows: AnalysisRow[] }>>();
  for (const r of rows) {
    if (!r.model_used || !r.task_type || r.status !== "completed") continue;
    const key = paramKey(r.routing_decision?.params);
    const s = interactionSuccess(r);
    if (!key || s === null) continue;
    const cell = cells.get(`${r.model_used}|${r.task_type}`) ?? new Map();
    const arm = cell.get(key) ?? { s: 0, n: 0, rows: [] };
    arm.n++;
    if (s) arm.s++;
    arm.rows.push(r);
    cell.set(key, arm);
    cells.set(`${r.model_used}|${r.task_type}`, cell);
  }
  const out: Candidate[] = [];
  for (const [cellKey, arms] of cells) {
    const [model, taskType] = cellKey.split("|");
    if (!isTaskType(taskType)) continue;
    const eligible = [...arms.entries()].filter(([, a]) => a.n >= MIN_ARM_SAMPLES);
    if (eligible.length < 2) continue;
    const current = [...eligible].sort((a, b) => b[1].n - a[1].n)[0];
    const best = [...eligible].sort((a, b) => betaMean(posterior(b[1].s, b[1].n)) - betaMean(posterior(a[1].s, a[1].n)))[0];
    if (best[0] === current[0]) continue;
    const effect = compare(current[1].s, current[1].n, best[1].s, best[1].n, best[1].n);
    if (effect.pBetter < 0.9) continue;
    const params = JSON.parse(best[0]) as { temperature: number; num_predict: number; num_ctx: number };
    // Within bounds: one of the parameter arms the bandit itself may use for this task type.
    const withinBounds = paramArmsFor(taskType as TaskType).some((a) => a.temperature === params.temperature && a.num_predict <= params.num_predict * 2 && a.num_ctx <= params.num_ctx * 2);
    const change: ProposedChange = { type: "set_params", model, taskType: taskType as TaskType, params };
    out.push({
      change,
      fingerprint: fingerprintOf(change),
      title: `Fix ${model}'s parameters for ${taskType.replace(/_/g, " ")}: temperature ${params.temperature}, num_predict ${params.num_predict}, num_ctx ${params.num_ctx}`,
      description: `These parameters succeeded ${best[1].s} of ${best[1].n} times against ${current[1].s} of ${current[1].n} for the most used ones.`,
      model,
      taskType,
      evidence: {
        count: best[1].n,
        best: { params, successes: best[1].s, n: best[1].n, interval: interval(best[1].s, best[1].n) },
        current: { params: JSON.parse(current[0]), successes: current[1].s, n: current[1].n, interval: interval(current[1].s, current[1].n) },
        effectSize: { ...effect, of: "success rate of the proposed − the current parameters" },
        examples: best[1].rows.slice(0, 5).map((r) => r.id),
      },
      expected: { metric: `success rate of ${model} on ${taskType}`, from: rnd(betaMean(posterior(current[1].s, current[1].n))), toward: rnd(betaMean(posterior(best[1].s, best[1].n))) },
      risk: withinBounds ? "low" : "medium",
      support: best[1].rows.map((r) => ({ id: r.id, at: new Date(r.created_at) })),
    });
  }
  return out;
}

function routingMisses(rows: AnalysisRow[]) {
  const misses = new Map<string, { taskType: string; model: string; rows: AnalysisRow[] }>();
  for (const r of rows) {
    const better = (r.feedback as { betterModel?: unknown }).betterModel;
    if (typeof better !== "string" || !r.task_type) continue;
    const key = `${r.task_type}|${better}`;
    const m = misses.get(key) ?? { taskType: r.task_type, model: better, rows: [] };
    m.rows.push(r);
    misses.set(key, m);
  }
  return [...misses.values()];
}

function routingCandidates(misses: ReturnType<typeof routingMisses>, cells: Map<string, CellStats>): Candidate[] {
  const out: Candidate[] = [];
  for (const m of misses) {
    if (m.rows.length < MIN_ROUTING_MISSES || !isTaskType(m.taskType)) continue;
    const change: ProposedChange = { type: "prefer_model", taskType: m.taskType, model: m.model };
    const target = cells.get(`${m.model}|${m.taskType}`);
    out.push({
      change,
      fingerprint: fingerprintOf(change),
      title: `Route ${m.taskType.replace(/_/g, " ")} requests to ${m.model} first`,
      description: `${m.rows.length} times users said ${m.model} would have been better for a ${m.taskType.replace(/_/g, " ")} request.`,
      model: m.model,
      taskType: m.taskType,
      evidence: {
        count: m.rows.length,
        from: [...new Set(m.rows.map((r) => r.model_used))],
        targetOutcomes: target ? { successes: target.successes, n: target.n, interval: target.interval } : null,
        examples: m.rows.slice(0, 5).map((r) => r.id),
      },
      expected: { text: `fewer "another model would have been better" corrections for ${m.taskType.replace(/_/g, " ")}` },
      risk: "medium",
      support: m.rows.map((r) => ({ id: r.id, at: new Date(r.created_at) })),
    });
  }
  return out;
}

function fallbackRescues(rows: AnalysisRow[]) {
  const rescued = new Map<string, { taskType: string; model: string; rescued: number }>();
  for (const r of rows) {
    const attempts = r.routing_decision?.attempts ?? [];
    if (attempts.length < 2 || !r.task_type) continue;
    const last = attempts[attempts.length - 1];
    if (!last.ok) continue;
    const key = `${r.task_type}|${last.model}`;
    const x = rescued.get(key) ?? { taskType: r.task_type, model: last.model, rescued: 0 };
    x.rescued++;
    rescued.set(key, x);
  }
  return [...rescued.values()];
}

/** Whether a candidate may become a proposal now, and why not. */
async function admissible(tx: Queryable, c: Candidate, production: { config: Parameters<typeof applyChange>[0] }): Promise<string | null> {
  if (JSON.stringify(applyChange(production.config, c.change)) === JSON.stringify(production.config)) return "already in production";
  const previous = await adaptationsByFingerprint(tx, { fingerprint: c.fingerprint });
  if (previous.some((p) => p.status === "proposed" || p.status === "testing")) return "the same proposal is open";
  const declined = previous.find((p: AdaptationRow) => p.status === "rejected" || p.status === "rolled_back");
  if (declined) {
    const since = declined.decided_at ? new Date(declined.decided_at).getTime() : 0;
    const fresh = c.support.filter((s) => s.at.getTime() > since).length;
    const needed = Math.max(Number((declined.evidence as { count?: number }).count ?? 0), 1);
    if (fresh < needed) return `${declined.status.replace("_", " ")} before; ${fresh} new supporting interactions, ${needed} needed`;
    c.evidence.previouslyDeclined = { id: declined.id, status: declined.status, reason: declined.decision_reason, newEvidence: fresh };
  }
  return null;
}

/** One analysis run. `actorId` is who started it (an operator's id, "system" or "cron"). */
export async function runAnalysis({ actorId = "system", onProgress, signal }: { actorId?: string; onProgress?: (p: Progress) => void; signal?: AbortSignal } = {}): Promise<AnalysisSummary> {
  const report = (stage: string, progress: number) => onProgress?.({ stage, progress });
  const until = new Date();
  report("Reading interactions since the last run", 0.05);
  const { since, rows, settings } = await asSystem(async (tx) => {
    const s = await getSettings(tx, { prefix: "learning.last_analysis" });
    const last = s["learning.last_analysis"] as { until?: string } | undefined;
    const since = last?.until ? new Date(last.until) : null;
    return { since, rows: await interactionsForAnalysis(tx, { since }), settings: await loadCycleSettings(tx) };
  });
  const roster = await currentRoster();

  report("Outcomes per model and task type", 0.2);
  const cells = cellStats(rows);
  report("Routing misses and fallback rescues", 0.3);
  const misses = routingMisses(rows);
  const rescues = fallbackRescues(rows);

  report("Grouping feedback into themes", 0.4);
  const groups = groupFeedback(feedbackTexts(rows));
  const unnamed = groups.filter((g) => !g.instruction && g.interactionIds.length >= MIN_THEME_COUNT);
  for (const [i, g] of unnamed.entries()) {
    if (signal?.aborted) break;
    report(`The router model names feedback group ${i + 1} of ${unnamed.length}`, 0.4 + (0.2 * i) / Math.max(1, unnamed.length));
    const named = await nameGroup(roster, g, signal);
    if (named) {
      g.label = named.name;
      g.instruction = named.instruction;
    }
  }

  report("Writing learning patterns", 0.65);
  await asSystem(async (tx) => {
    for (const g of groups) {
      if (g.interactionIds.length < 2) continue;
      const cell = cells.get(`${g.model}|${g.taskType}`);
      const failures = g.interactionIds.length;
      const n = cell?.n ?? failures;
      await upsertPromptingPattern(tx, {
        model: g.model,
        taskType: g.taskType,
        theme: g.themeId,
        data: { theme: g.themeId, label: g.label, instruction: g.instruction, examples: g.interactionIds.slice(0, 10), window: { since: since?.toISOString() ?? null, until: until.toISOString() } },
        successes: Math.max(0, n - failures),
        failures,
        confidence: rnd(Math.min(1, failures / Math.max(n, 1))),
      });
    }
  });

  report("Drafting proposals", 0.75);
  const candidates = [...themeCandidates(groups, rows, cells, roster), ...parameterCandidates(rows), ...routingCandidates(misses, cells)];
  const created: AdaptationRow[] = [];
  const skipped: AnalysisSummary["skipped"] = [];
  await asSystem(async (tx) => {
    const production = await getLabelledVersion(tx, { label: "production" });
    if (!production) return;
    for (const c of candidates) {
      const why = await admissible(tx, c, production);
      if (why) {
        skipped.push({ fingerprint: c.fingerprint, why });
        continue;
      }
      created.push(
        await insertAdaptation(tx, {
          kind: kindOf(c.change),
          title: c.title,
          description: c.description,
          model_name: c.model,
          task_type: c.taskType,
          proposed_change: c.change,
          evidence: c.evidence,
          expected_effect: c.expected,
          risk: c.risk,
          fingerprint: c.fingerprint,
          base_version_id: production.id,
        }),
      );
    }
  });

  const experimentsStarted: string[] = [];
  if (settings.autonomy) {
    report("Autonomy: starting experiments for low-risk proposals", 0.9);
    for (const a of created.filter((p) => p.kind === "parameters" && p.risk === "low")) {
      const running = await asSystem((tx) => listExperiments(tx, { status: "running", limit: 1 }));
      if (running.length) break;
      const e = await startExperiment(SYSTEM as Actor, { adaptationId: a.id });
      experimentsStarted.push(e.id);
    }
  }

  const summary: AnalysisSummary = {
    since: since?.toISOString() ?? null,
    until: until.toISOString(),
    interactions: rows.length,
    cells: [...cells.values()],
    routingMisses: misses.map((m) => ({ taskType: m.taskType, model: m.model, count: m.rows.length })),
    fallbackRescues: rescues,
    themes: groups.map((g) => ({ model: g.model, taskType: g.taskType, theme: g.themeId, label: g.label, count: g.interactionIds.length })),
    proposals: created.map((p) => ({ id: p.id, title: p.title, kind: p.kind, risk: p.risk })),
    skipped,
    experimentsStarted,
  };
  await asSystem(async (tx) => {
    await putSetting(tx, { key: "learning.last_analysis", value: { until: summary.until, interactions: summary.interactions, proposals: summary.proposals.length, by: actorId }, by: actorId });
    await recordAudit(tx, { actor: actorId, action: "analysis.run", targetType: "learning", details: { interactions: summary.interactions, proposals: summary.proposals.map((p) => p.id), skipped, experimentsStarted } });
  });
  report("Done", 1);
  return summary;
}
