import "server-only";
import { asSystem, type Queryable } from "@/lib/db";
import { recordAudit } from "@/lib/db/queries/audit";
import { adaptationsByFingerprint, feedbackForThemes, insertAdaptation, interactionsForAnalysis, listExperiments, upsertPromptingPattern, type AdaptationRow } from "@/lib/db/queries/adaptations";
import { getLabelledVersion } from "@/lib/db/queries/config-versions";
import { getSettings, putSetting } from "@/lib/db/queries/app-settings";
import { currentRoster } from "@/lib/roster/current";

import { groupFeedbackForAnalysis } from "./feedback-grouping";
import { explainProposals } from "./proposal-rationale";
import { applyChange, kindOf } from "./proposals";
import { loadCycleSettings } from "./cycle-settings";
import { startExperiment, SYSTEM, type Actor } from "./engine";

import { cellStats, rnd, type CellStats } from "./analysis-stats";
import { MIN_THEME_COUNT, feedbackTexts, fallbackRescues, parameterCandidates, routingCandidates, routingMisses, themeCandidates, type Candidate } from "./proposal-candidates";
import { ROUTED_FOR_RULES, routingValueCandidates } from "./routing-value-candidates";
import { loggedChoices } from "./routed-log";
import { routedAnswers } from "@/lib/db/queries/routed-answers";


/** Feedback themes are read over the feedback given in this many days before a run. */
export const THEME_WINDOW_DAYS = 30;

/**
 * The Learning Director: an analysis run over the interactions since the last run. It
 * measures outcomes per (model, task type), routing misses (users naming a better model),
 * fallback rescues, parameter arms, themes in feedback, and learned routing against each
 * model alone on the answers it routed (lib/learning/routing-value-candidates.ts); writes `prompting` learning
 * patterns; and proposes changes with evidence (counts, effect size with a 95% interval,
 * example interactions), expected effect and risk. Statistics decide what is proposed; the
 * router model only names feedback groups no known theme covers and drafts their instruction
 * (lib/learning/feedback-grouping.ts), each call recorded.
 * A proposal like one rejected (or rolled back) before is made again only with at least as
 * much new evidence (supporting interactions after that decision) as the rejected one had.
 */

export interface Progress {
  stage: string;
  progress: number;
}

export interface AnalysisSummary {
  since: string | null;
  until: string;
  interactions: number;
  cells: CellStats[];
  routingMisses: { taskType: string; model: string; count: number }[];
  fallbackRescues: { taskType: string; model: string; rescued: number }[];
  themes: { theme: string; label: string; instruction: string | null; count: number; users: number; taskTypes: string[] }[];
  /** what was proposed, with the interactions whose feedback or outcomes support it */
  proposals: { id: string; title: string; kind: string; risk: string; supportedBy: string[] }[];
  skipped: { fingerprint: string; why: string }[];
  experimentsStarted: string[];
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

  report("Grouping feedback by meaning", 0.4);
  // Themes are read over the feedback of the last THEME_WINDOW_DAYS, by when it was given:
  // complaints that trickle in across runs still add up, and late feedback counts.
  const themeRows = await asSystem((tx) => feedbackForThemes(tx, { since: new Date(until.getTime() - THEME_WINDOW_DAYS * 86_400_000) }));
  const { groups } = await groupFeedbackForAnalysis(feedbackTexts(themeRows, roster), roster, {
    signal,
    minGroup: MIN_THEME_COUNT,
    onNaming: (i, n) => report(`The router model names feedback group ${i + 1} of ${n}`, 0.45 + (0.2 * i) / Math.max(1, n)),
  });

  report("Writing learning patterns", 0.65);
  await asSystem(async (tx) => {
    for (const g of groups) {
      const byCell = new Map<string, typeof g.members>();
      for (const m of g.members) byCell.set(`${m.model}|${m.taskType}`, [...(byCell.get(`${m.model}|${m.taskType}`) ?? []), m]);
      for (const [key, members] of byCell) {
        if (members.length < 2) continue;
        const [model, taskType] = key.split("|");
        const cell = cells.get(key);
        const failures = members.length;
        const n = cell?.n ?? failures;
        await upsertPromptingPattern(tx, {
          model,
          taskType,
          theme: g.themeId,
          data: { theme: g.themeId, label: g.label, instruction: g.instruction, examples: members.slice(0, 10).map((m) => m.id), window: { since: since?.toISOString() ?? null, until: until.toISOString() } },
          successes: Math.max(0, n - failures),
          failures,
          confidence: rnd(Math.min(1, failures / Math.max(n, 1))),
        });
      }
    }
  });

  report("Judging learned routing against fixed choices", 0.72);
  const routed = loggedChoices(await asSystem((tx) => routedAnswers(tx, { from: null, limit: ROUTED_FOR_RULES })));

  report("Drafting proposals", 0.75);
  const candidates = [
    ...themeCandidates(groups, [...new Map([...themeRows, ...rows].map((r) => [r.id, r])).values()], roster),
    ...parameterCandidates(rows),
    ...routingCandidates(misses, cells),
    ...routingValueCandidates(routed),
  ];
  const created: AdaptationRow[] = [];
  const supportOf = new Map(candidates.map((c) => [c.fingerprint, c.support.map((x) => x.id)]));
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

  if (created.length) {
    report("The Adaptation Engine explains the proposals", 0.85);
    await explainProposals(roster, created, signal);
  }

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
    themes: groups.map((g) => ({ theme: g.themeId, label: g.label, instruction: g.instruction, count: g.members.length, users: new Set(g.members.map((m) => m.userId ?? m.id)).size, taskTypes: [...new Set(g.members.map((m) => m.taskType))] })),
    proposals: created.map((p) => ({ id: p.id, title: p.title, kind: p.kind, risk: p.risk, supportedBy: supportOf.get(p.fingerprint) ?? [] })),
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
