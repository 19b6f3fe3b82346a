import "server-only";
import type { Identity } from "@/lib/auth";
import { asSystem, withUser, type Queryable } from "@/lib/db";
import { recordAudit } from "@/lib/db/queries/audit";
import {
  adaptationsAppliedAfter,
  decideAdaptation,
  experimentOutcomes,
  getAdaptation,
  getExperiment,
  insertExperiment,
  listExperiments,
  updateExperiment,
  type AdaptationRow,
  type ExperimentRow,
} from "@/lib/db/queries/adaptations";
import { getLabelledVersion, getVersion, insertVersion, removeLabel, setLabel } from "@/lib/db/queries/config-versions";
import { putSetting } from "@/lib/db/queries/app-settings";
import { AppError } from "@/lib/errors";
import { invalidateConfigCache } from "@/lib/learning/active-config";
import { applyChange, changeSchema } from "./proposals";
import { decide, probabilityVariantBetter, summarizeArm, type ArmSummary, type Design, type Guardrails } from "./experiment-stats";
import { loadCycleSettings, settingsRows, settingsSchema } from "./cycle-settings";
import { countedArms } from "./user-share";
import type { z } from "zod";

/**
 * The Adaptation Engine: applies operators' decisions (approve → a new immutable production
 * version; reject; start an A/B test → a candidate version and an experiment; stop; roll back
 * → a new version copying an earlier one's config) and the experiment monitor's verdicts
 * (promote, stop, roll back on a guardrail breach). Every decision is audited. An operator's
 * decision runs under their RLS session (the policies allow operators only); the monitor and
 * the scheduler run as the system.
 */
export type Actor = { kind: "operator"; identity: Identity } | { kind: "system" };

export const SYSTEM: Actor = { kind: "system" };

export function actorId(a: Actor): string {
  return a.kind === "system" ? "system" : a.identity.userId;
}

/** Acts as the operator (under their RLS) or the system. */
export async function act<T>(actor: Actor, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  if (actor.kind === "operator") {
    if (!actor.identity.isOperator) throw new AppError("forbidden:learning", "Only operators can change the model configuration.");
    return withUser(actor.identity.claims, fn);
  }
  return asSystem(fn);
}

async function runningExperiment(tx: Queryable): Promise<ExperimentRow | null> {
  return (await listExperiments(tx, { status: "running", limit: 1 }))[0] ?? null;
}

async function proposedOrThrow(tx: Queryable, id: string, allowed: AdaptationRow["status"][] = ["proposed"]): Promise<AdaptationRow> {
  const a = await getAdaptation(tx, { id });
  if (!a) throw new AppError("not_found:learning", "That proposal does not exist.");
  if (!allowed.includes(a.status)) throw new AppError("conflict:learning", `That proposal is ${a.status.replace("_", " ")}, not awaiting a decision.`);
  return a;
}

function changeOf(a: AdaptationRow) {
  const parsed = changeSchema.safeParse(a.proposed_change);
  if (!parsed.success) throw new AppError("bad_request:learning", "This proposal's change cannot be applied automatically.");
  return parsed.data;
}

/** Approve: the change on top of production becomes the new production version. */
export async function approveAdaptation(actor: Actor, { id, reason }: { id: string; reason?: string }): Promise<{ version: number }> {
  const out = await act(actor, async (tx) => {
    const a = await proposedOrThrow(tx, id);
    if (await runningExperiment(tx)) throw new AppError("conflict:learning", "An experiment is running: finish it before changing production.");
    const prod = await getLabelledVersion(tx, { label: "production" });
    if (!prod) throw new AppError("conflict:learning", "There is no production configuration.");
    const config = applyChange(prod.config, changeOf(a));
    const v = await insertVersion(tx, { parentId: prod.id, config, summary: `Approved: ${a.title}`, createdBy: actorId(actor) });
    await setLabel(tx, { label: "production", versionId: v.id, by: actorId(actor) });
    await decideAdaptation(tx, { id, status: "approved", by: actorId(actor), reason: reason ?? null, resultVersionId: v.id, from: ["proposed"] });
    await recordAudit(tx, { actor: actorId(actor), action: "adaptation.approve", targetType: "adaptation", targetId: id, reason, details: { title: a.title, from: prod.version, to: v.version } });
    return { version: v.version };
  });
  invalidateConfigCache();
  return out;
}

export async function rejectAdaptation(actor: Actor, { id, reason }: { id: string; reason: string }): Promise<void> {
  await act(actor, async (tx) => {
    const a = await proposedOrThrow(tx, id);
    await decideAdaptation(tx, { id, status: "rejected", by: actorId(actor), reason, from: ["proposed"] });
    await recordAudit(tx, { actor: actorId(actor), action: "adaptation.reject", targetType: "adaptation", targetId: id, reason, details: { title: a.title, fingerprint: a.fingerprint } });
  });
}

/** Start an A/B test: the changed config as a candidate version, served to a share of conversations. */
export async function startExperiment(
  actor: Actor,
  { adaptationId, trafficSplit = 0.5, minSamples, reason }: { adaptationId: string; trafficSplit?: number; minSamples?: number; reason?: string },
): Promise<ExperimentRow> {
  const out = await act(actor, async (tx) => {
    const a = await proposedOrThrow(tx, adaptationId);
    if (await runningExperiment(tx)) throw new AppError("conflict:learning", "Another experiment is running; one at a time.");
    const prod = await getLabelledVersion(tx, { label: "production" });
    if (!prod) throw new AppError("conflict:learning", "There is no production configuration.");
    const config = applyChange(prod.config, changeOf(a));
    const settings = await loadCycleSettings(tx);
    const design: Design = { ...settings.design, minSamples: minSamples ?? settings.design.minSamples };
    const v = await insertVersion(tx, { parentId: prod.id, config, summary: `Candidate: ${a.title}`, createdBy: actorId(actor) });
    await setLabel(tx, { label: "candidate", versionId: v.id, by: actorId(actor) });
    const e = await insertExperiment(tx, {
      adaptationId,
      controlVersionId: prod.id,
      variantVersionId: v.id,
      trafficSplit,
      minSamples: design.minSamples,
      maxDurationHours: settings.maxDurationHours,
      guardrails: settings.guardrails,
      stats: { design, lastLook: 0 },
      startedBy: actorId(actor),
    });
    await decideAdaptation(tx, { id: adaptationId, status: "testing", by: actorId(actor), reason: reason ?? null, resultVersionId: v.id, from: ["proposed"] });
    await recordAudit(tx, {
      actor: actorId(actor),
      action: "experiment.start",
      targetType: "experiment",
      targetId: e.id,
      reason: reason ?? (actor.kind === "system" ? "autonomy: a low-risk proposal starts as an experiment" : undefined),
      details: { adaptationId, title: a.title, control: prod.version, variant: v.version, trafficSplit, design },
    });
    return e;
  });
  invalidateConfigCache();
  return out;
}

type EndStatus = "promoted" | "stopped" | "rolled_back";

async function endExperiment(tx: Queryable, actor: Actor, e: ExperimentRow, status: EndStatus, reason: string, stats: Record<string, unknown>): Promise<boolean> {
  const updated = await updateExperiment(tx, { id: e.id, stats, status, endReason: reason });
  if (!updated) return false; // someone else ended it first
  await removeLabel(tx, { label: "candidate" });
  if (status === "promoted") await setLabel(tx, { label: "production", versionId: e.variant_version_id, by: actorId(actor) });
  if (e.adaptation_id) {
    const adaptationStatus = status === "promoted" ? "promoted" : status === "rolled_back" ? "rolled_back" : "rejected";
    await decideAdaptation(tx, { id: e.adaptation_id, status: adaptationStatus, by: actorId(actor), reason: `experiment ${status.replace("_", " ")}: ${reason}`, from: ["testing"] });
  }
  const action = status === "promoted" ? "experiment.promote" : status === "rolled_back" ? "experiment.rollback" : "experiment.stop";
  await recordAudit(tx, { actor: actorId(actor), action, targetType: "experiment", targetId: e.id, reason, details: { adaptationId: e.adaptation_id, stats } });
  return true;
}

/** An operator finishes an experiment by hand: production stays. */
export async function stopExperiment(actor: Actor, { id, reason }: { id: string; reason: string }): Promise<void> {
  await act(actor, async (tx) => {
    const e = await getExperiment(tx, { id });
    if (!e) throw new AppError("not_found:learning", "That experiment does not exist.");
    if (e.status !== "running") throw new AppError("conflict:learning", `That experiment has already ended (${e.status.replace("_", " ")}).`);
    const { stats } = await experimentStats(tx, e);
    await endExperiment(tx, actor, e, "stopped", `stopped by an operator: ${reason}`, stats);
  });
  invalidateConfigCache();
}

export interface ExperimentView {
  control: ArmSummary;
  variant: ArmSummary;
  pVariantBetter: number;
}

async function experimentStats(tx: Queryable, e: ExperimentRow): Promise<{ view: ExperimentView; stats: Record<string, unknown> }> {
  const rows = await experimentOutcomes(tx, { experimentId: e.id });
  // No one user decides: each user's conversations count for at most a share of an arm.
  const arms = countedArms(rows, (await loadCycleSettings(tx)).maxUserShare);
  const control = summarizeArm(arms.control);
  const variant = summarizeArm(arms.variant);
  const pVariantBetter = probabilityVariantBetter(control, variant);
  return { view: { control, variant, pVariantBetter }, stats: { ...e.stats, control, variant, pVariantBetter, checkedAt: new Date().toISOString() } };
}

/**
 * The experiment monitor (`experiment_check`): recomputes an experiment's posteriors and
 * applies the verdict — promote, stop, roll back on a guardrail breach, or keep going.
 */
export async function checkExperiment(id: string): Promise<{ action: string; reason: string } | null> {
  const out = await asSystem(async (tx) => {
    // One check of an experiment at a time across every instance: the second waits, then finds it decided.
    await tx.query("select pg_advisory_xact_lock(hashtext('experiment_check:' || $1::text))", [id]);
    const e = await getExperiment(tx, { id });
    if (!e || e.status !== "running") return null;
    const { view, stats } = await experimentStats(tx, e);
    const design = (e.stats.design as Design | undefined) ?? (await loadCycleSettings(tx)).design;
    const verdict = decide({
      control: view.control,
      variant: view.variant,
      design: { ...design, minSamples: e.min_samples },
      guardrails: e.guardrails as unknown as Guardrails,
      lastLook: Number(e.stats.lastLook ?? 0),
      elapsedMs: Date.now() - new Date(e.started_at).getTime(),
      maxDurationMs: e.max_duration_ms,
    });
    const next = { ...stats, lastLook: verdict.look, lastVerdict: verdict };
    if (verdict.action === "continue") {
      await updateExperiment(tx, { id, stats: next });
      return verdict;
    }
    const status: EndStatus = verdict.action === "promote" ? "promoted" : verdict.action === "rollback" ? "rolled_back" : "stopped";
    await endExperiment(tx, SYSTEM, e, status, verdict.reason, next);
    return verdict;
  });
  if (out && out.action !== "continue") invalidateConfigCache();
  return out;
}

export async function checkRunningExperiments(): Promise<{ id: string; action: string; reason: string }[]> {
  const running = await asSystem((tx) => listExperiments(tx, { status: "running" }));
  const results = [];
  for (const e of running) {
    const v = await checkExperiment(e.id);
    if (v) results.push({ id: e.id, ...v });
  }
  return results;
}

const g = globalThis as unknown as { __eliteExperimentChecks?: Map<string, Promise<unknown>> };

/** After an experiment's interaction: check it (one check per experiment at a time; errors are logged). */
export function scheduleExperimentCheck(id: string): Promise<unknown> {
  const checks = (g.__eliteExperimentChecks ??= new Map<string, Promise<unknown>>());
  const prev = checks.get(id) ?? Promise.resolve();
  const next = prev
    .then(() => checkExperiment(id))
    .catch((err: unknown) => console.error("experiment check failed", err))
    .finally(() => {
      if (checks.get(id) === next) checks.delete(id);
    });
  checks.set(id, next);
  return next;
}

/**
 * One-click rollback to any earlier version: a NEW version copying that version's config
 * becomes production (history stays append-only: nothing is relabelled into the past), and
 * the proposals applied since are marked rolled back.
 */
export async function rollbackTo(actor: Actor, { versionId, reason }: { versionId: string; reason: string }): Promise<{ version: number }> {
  const out = await act(actor, async (tx) => {
    if (await runningExperiment(tx)) throw new AppError("conflict:learning", "An experiment is running: finish it before changing production.");
    const target = await getVersion(tx, { id: versionId });
    if (!target) throw new AppError("not_found:learning", "That configuration version does not exist.");
    const prod = await getLabelledVersion(tx, { label: "production" });
    if (prod && prod.id === target.id) throw new AppError("conflict:learning", `Version ${target.version} is already in production.`);
    const v = await insertVersion(tx, { parentId: prod?.id ?? null, config: target.config, summary: `Rollback to version ${target.version}: ${reason}`, createdBy: actorId(actor) });
    await setLabel(tx, { label: "production", versionId: v.id, by: actorId(actor) });
    const undone = await adaptationsAppliedAfter(tx, { version: target.version });
    for (const a of undone) await decideAdaptation(tx, { id: a.id, status: "rolled_back", by: actorId(actor), reason: `rolled back to version ${target.version}: ${reason}` });
    await recordAudit(tx, {
      actor: actorId(actor),
      action: "config.rollback",
      targetType: "config_version",
      targetId: v.id,
      reason,
      details: { from: prod?.version ?? null, to: target.version, newVersion: v.version, undone: undone.map((a) => a.id) },
    });
    return { version: v.version };
  });
  invalidateConfigCache();
  return out;
}

export async function saveCycleSettings(actor: Actor, input: z.infer<typeof settingsSchema>): Promise<void> {
  await act(actor, async (tx) => {
    for (const row of settingsRows(input)) await putSetting(tx, { key: row.key, value: row.value, by: actorId(actor) });
    await recordAudit(tx, { actor: actorId(actor), action: "settings.learning", targetType: "app_settings", details: input });
  });
}
