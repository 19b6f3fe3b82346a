import "server-only";
import { asSystem } from "@/lib/db";
import { experimentOutcomes, listAdaptations, listExperiments } from "@/lib/db/queries/adaptations";
import { countedArms } from "./user-share";
import { listRoutingPatterns } from "@/lib/db/queries/pattern-members";
import { patternShared } from "@/lib/domain";
import { listVersions } from "@/lib/db/queries/config-versions";
import { getSettings } from "@/lib/db/queries/app-settings";
import { applyChange, changeSchema, diffConfigs, instructionTargets, promptOf, textDiff, type DiffEntry } from "./proposals";
import { probabilityVariantBetter, summarizeArm, lookBoundary, type ArmSummary, type Design } from "./experiment-stats";
import { loadCycleSettings, type CycleSettings } from "./cycle-settings";

/** Everything the Adaptations screen shows, as plain JSON (the page's first render and its poll). */
export interface AdaptationsView {
  proposals: {
    id: string; kind: string; status: string; title: string; description: string; model: string | null; taskType: string | null;
    change: Record<string, unknown>; evidence: Record<string, unknown>; expected: Record<string, unknown>; risk: string;
    createdAt: string; decidedBy: string | null; decidedAt: string | null; reason: string | null; diff: DiffEntry[];
  }[];
  experiments: {
    id: string; adaptationId: string | null; title: string | null; status: string; trafficSplit: number; minSamples: number;
    startedAt: string; endedAt: string | null; endReason: string | null; controlVersion: number | null; variantVersion: number | null;
    control: ArmSummary; variant: ArmSummary; pVariantBetter: number; nextLook: { look: number; promoteAt: number; stopAt: number; samplesPerArm: number } | null;
  }[];
  versions: { id: string; version: number; parentId: string | null; summary: string; createdBy: string | null; createdAt: string; labels: string[]; config: unknown }[];
  audit: { id: string; actor: string; action: string; targetType: string; targetId: string | null; reason: string | null; createdAt: string }[];
  /** learned routing patterns, for an operator to share with everyone or retire */
  patterns: {
    id: string; model: string; taskTypes: string[]; confidence: number; held: number; failed: number; status: string;
    teachers: number; shared: boolean; approved: boolean; agreeing: number; disagreeing: number; updatedAt: string;
  }[];
  settings: CycleSettings;
  lastAnalysis: { until?: string; interactions?: number; proposals?: number; by?: string } | null;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

export async function loadAdaptationsView(): Promise<AdaptationsView> {
  return asSystem(async (tx) => {
    const patterns = await listRoutingPatterns(tx);
    const [adaptations, experiments, versions, settings, raw] = await Promise.all([
      listAdaptations(tx),
      listExperiments(tx, { limit: 20 }),
      listVersions(tx),
      loadCycleSettings(tx),
      getSettings(tx, { prefix: "learning.last_analysis" }),
    ]);
    const { rows: audit } = await tx.query<{ id: string; actor: string; action: string; target_type: string; target_id: string | null; reason: string | null; created_at: Date }>(
      "select id, actor, action, target_type, target_id, reason, created_at from audit_log order by created_at desc limit 50",
    );
    const byId = new Map(versions.map((v) => [v.id, v]));
    const production = versions.find((v) => v.labels.includes("production"));
    const exps = [];
    for (const e of experiments) {
      const arms = countedArms(await experimentOutcomes(tx, { experimentId: e.id }), settings.maxUserShare);
      const control = summarizeArm(arms.control);
      const variant = summarizeArm(arms.variant);
      const design = { ...((e.stats.design as Design | undefined) ?? settings.design), minSamples: e.min_samples };
      const look = Number(e.stats.lastLook ?? 0) + 1;
      exps.push({
        id: e.id,
        adaptationId: e.adaptation_id,
        title: adaptations.find((a) => a.id === e.adaptation_id)?.title ?? null,
        status: e.status,
        trafficSplit: e.traffic_split,
        minSamples: e.min_samples,
        startedAt: iso(e.started_at)!,
        endedAt: iso(e.ended_at),
        endReason: e.end_reason,
        controlVersion: byId.get(e.control_version_id)?.version ?? null,
        variantVersion: byId.get(e.variant_version_id)?.version ?? null,
        control,
        variant,
        pVariantBetter: probabilityVariantBetter(control, variant),
        nextLook: e.status === "running" && look <= design.maxLooks ? { look, ...lookBoundary(design, look), samplesPerArm: look * design.minSamples } : null,
      });
    }
    return {
      proposals: adaptations.map((a) => {
        const parsed = changeSchema.safeParse(a.proposed_change);
        let diff: DiffEntry[] = [];
        if (parsed.success && production) {
          const c = parsed.data;
          if (c.type === "append_instruction") {
            // The prompt as the model sees it, before and after (not just the override key).
            const changed = applyChange(production.config, c);
            diff = instructionTargets(c).flatMap(({ role, taskType }) => {
              const before = promptOf(production.config, role, taskType);
              const after = promptOf(changed, role, taskType);
              return before === after ? [] : [{ path: `${role} prompt for ${taskType}`, before, after, text: textDiff(before, after) }];
            });
          } else diff = diffConfigs(production.config, applyChange(production.config, c));
        }
        return {
          id: a.id, kind: a.kind, status: a.status, title: a.title, description: a.description, model: a.model_name, taskType: a.task_type,
          change: a.proposed_change, evidence: a.evidence, expected: a.expected_effect, risk: a.risk, createdAt: iso(a.created_at)!,
          decidedBy: a.decided_by, decidedAt: iso(a.decided_at), reason: a.decision_reason, diff,
        };
      }),
      experiments: exps,
      versions: versions.map((v) => ({ id: v.id, version: v.version, parentId: v.parent_id, summary: v.summary, createdBy: v.created_by, createdAt: iso(v.created_at)!, labels: v.labels, config: v.config })),
      audit: audit.map((a) => ({ id: a.id, actor: a.actor, action: a.action, targetType: a.target_type, targetId: a.target_id, reason: a.reason, createdAt: iso(a.created_at)! })),
      patterns: patterns.map((p) => ({
        id: p.id,
        model: p.model_name,
        taskTypes: p.task_types,
        confidence: p.confidence_score,
        held: p.success_count,
        failed: p.failure_count,
        status: p.status,
        teachers: new Set(p.pattern_data.teachers ?? []).size,
        shared: patternShared(p.pattern_data),
        approved: p.pattern_data.approved === true,
        agreeing: p.agreeing,
        disagreeing: p.disagreeing,
        updatedAt: iso(p.last_updated)!,
      })),
      settings,
      lastAnalysis: (raw["learning.last_analysis"] as AdaptationsView["lastAnalysis"]) ?? null,
    };
  });
}
