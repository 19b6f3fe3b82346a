/**
 * What an analysis run may propose, each with its evidence: prompt instructions from feedback
 * themes, parameter arms that beat production, routing rules from routing misses; plus the
 * fallback rescues it reports.
 */
import "server-only";
import type { AnalysisRow } from "@/lib/db/queries/adaptations";
import { armKey, interactionSuccess, isTaskType, sameModel, type Roster, type SamplingParams, type TaskType } from "@/lib/domain";
import { betaMean, posterior } from "./beta";

import type { FeedbackText } from "./themes";
import { isPraise } from "./praise";
import { preferenceIn } from "./model-preference";
import type { FeedbackGroup } from "./feedback-meaning";
import { fingerprintOf } from "./proposal-fingerprint";
import type { ProposedChange } from "./proposals";
import { paramArmsFor } from "./params";

import { compare, interval, rnd, type CellStats } from "./analysis-stats";

export const MIN_THEME_COUNT = 3;
export const MIN_ARM_SAMPLES = 10;
export const MIN_ROUTING_MISSES = 3;

export interface Candidate {
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

export function feedbackTexts(rows: AnalysisRow[], roster: Roster): FeedbackText[] {
  const out: FeedbackText[] = [];
  for (const r of rows) {
    if (!r.model_used || !r.task_type) continue;
    const f = r.feedback as { tags?: unknown; correction?: unknown; comment?: unknown; betterModel?: unknown };
    const tags = Array.isArray(f.tags) ? f.tags.filter((t): t is string => typeof t === "string") : [];
    const text = [f.correction, commentBesidesPreference(f, roster)].filter((t): t is string => typeof t === "string").join(" ");
    if (tags.length === 0 && !text.trim()) continue;
    // Praise asks for nothing; with a tag or a correction the comment comes with a complaint.
    if (tags.length === 0 && typeof f.correction !== "string" && isPraise(text)) continue;
    out.push({ id: r.id, model: r.model_used, taskType: r.task_type, tags, text, userId: r.user_id });
  }
  return out;
}

/**
 * A comment without the clause naming the better model it gave ("mathstral would have been
 * better, and add tests" → "and add tests"): that clause is a routing verdict, learned as one
 * (lib/learning/model-preference.ts), not an instruction for the models.
 */
function commentBesidesPreference(f: { comment?: unknown; betterModel?: unknown }, roster: Roster): string | undefined {
  if (typeof f.comment !== "string") return undefined;
  if (typeof f.betterModel !== "string") return f.comment;
  const named = preferenceIn(f.comment, roster);
  return named && sameModel(named.model, f.betterModel) ? named.rest : f.comment;
}

/**
 * One proposal per instruction: a feedback group's complaints, across every role whose
 * answers drew them and every task type they were made about, with the evidence an operator
 * weighs (how many answers and users, success with and without the complaint, the feedback).
 */
export function themeCandidates(groups: FeedbackGroup[], rows: AnalysisRow[], roster: Roster): Candidate[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: Candidate[] = [];
  for (const g of groups) {
    if (!g.instruction) continue;
    const members = g.members.filter((m) => roster.roleOf(m.model) && isTaskType(m.taskType));
    if (members.length < MIN_THEME_COUNT) continue;
    // Roles and task types, most complained about first.
    const rank = <T extends string>(values: T[]) => [...values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<T, number>())].sort((x, y) => y[1] - x[1]).map(([v]) => v);
    const roles = rank(members.map((m) => roster.roleOf(m.model)!));
    const taskTypes = rank(members.map((m) => m.taskType as TaskType));
    const ids = new Set(members.map((m) => m.id));
    const scope = rows.filter((r) => r.model_used && roles.includes(roster.roleOf(r.model_used)!) && taskTypes.includes(r.task_type as TaskType));
    let tS = 0, tN = 0, oS = 0, oN = 0;
    for (const r of scope) {
      const s = interactionSuccess(r);
      if (s === null) continue;
      if (ids.has(r.id)) { tN++; if (s) tS++; } else { oN++; if (s) oS++; }
    }
    const change: ProposedChange = { type: "append_instruction", role: roles[0], taskType: taskTypes[0], taskTypes: [...taskTypes].sort(), roles: [...roles].sort(), instruction: g.instruction };
    const effect = compare(tS, tN, oS, oN, members.length);
    const users = new Set(members.map((m) => m.userId ?? m.id)).size;
    const models = roles.map((r) => roster.roles[r]);
    const where = [...taskTypes].sort().map((t) => t.replace(/_/g, " ")).join(", ");
    out.push({
      change,
      fingerprint: fingerprintOf(change),
      title: `Add to the ${where} prompts of ${models.join(", ")}: "${g.instruction}"`,
      description: `${members.length} answers (${where}) by ${models.join(", ")} drew feedback "${g.label.toLowerCase()}" from ${users} user${users === 1 ? "" : "s"}. Those prompts get one instruction appended; the rest stays as it is.`,
      model: models[0],
      taskType: taskTypes[0],
      evidence: {
        count: members.length,
        users,
        roles,
        taskTypes,
        theme: g.themeId,
        themeLabel: g.label,
        feedback: members.slice(0, 12).map((m) => ({ id: m.id, model: m.model, taskType: m.taskType, text: m.text.slice(0, 200), tags: m.tags })),
        answers: scope.length,
        successWithTheme: { successes: tS, n: tN, interval: interval(tS, tN) },
        successOthers: { successes: oS, n: oN, interval: interval(oS, oN) },
        effectSize: { ...effect, of: "success rate without the complaint − with it" },
        examples: members.slice(0, 5).map((m) => m.id),
      },
      expected: {
        metric: `success rate of ${models.join(", ")} on ${where}`,
        from: tN + oN ? rnd((tS + oS) / (tN + oN)) : null,
        toward: oN ? rnd(betaMean(posterior(oS, oN))) : null,
        text: `fewer "${g.label.toLowerCase()}" complaints (${members.length} of ${scope.length} answers now)`,
      },
      risk: "medium",
      support: members.map((m) => ({ id: m.id, at: new Date(byId.get(m.id)?.feedback_at ?? byId.get(m.id)?.created_at ?? 0) })),
    });
  }
  return out;
}

function paramsOf(p: Record<string, number> | undefined): SamplingParams | null {
  if (!p || typeof p.temperature !== "number" || typeof p.num_predict !== "number" || typeof p.num_ctx !== "number") return null;
  return { temperature: p.temperature, num_predict: p.num_predict, num_ctx: p.num_ctx };
}

export function parameterCandidates(rows: AnalysisRow[]): Candidate[] {
  const cells = new Map<string, Map<string, { s: number; n: number; rows: AnalysisRow[]; params: SamplingParams }>>();
  for (const r of rows) {
    if (!r.model_used || !r.task_type || r.status !== "completed") continue;
    const params = paramsOf(r.routing_decision?.params);
    const s = interactionSuccess(r);
    if (!params || s === null) continue;
    const key = armKey(params);
    const cell = cells.get(`${r.model_used}|${r.task_type}`) ?? new Map();
    const arm = cell.get(key) ?? { s: 0, n: 0, rows: [], params };
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
    const params = best[1].params;
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
        current: { params: current[1].params, successes: current[1].s, n: current[1].n, interval: interval(current[1].s, current[1].n) },
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

export function routingMisses(rows: AnalysisRow[]) {
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

export function routingCandidates(misses: ReturnType<typeof routingMisses>, cells: Map<string, CellStats>): Candidate[] {
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

export function fallbackRescues(rows: AnalysisRow[]) {
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
