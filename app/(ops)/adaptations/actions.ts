"use server";
import { revalidatePath } from "next/cache";
import { requireOperator } from "@/lib/auth";
import { AppError } from "@/lib/errors";
import { approveAdaptation, rejectAdaptation, rollbackTo, saveCycleSettings, startExperiment, stopExperiment } from "@/lib/learning/engine";
import { decidePattern } from "@/lib/learning/pattern-review";
import { approveSchema, patternDecisionSchema, rejectSchema, rollbackSchema, settingsSchema, startAbSchema, stopSchema, type ActionResult } from "./schema";
import type { z } from "zod";

/**
 * The Adaptations screen's decisions. Each authenticates and authorises (operators only),
 * validates its input with zod, then acts through the Adaptation Engine (which audits it).
 */
async function run<S extends z.ZodType>(schema: S, input: unknown, act: (identity: Awaited<ReturnType<typeof requireOperator>>, data: z.infer<S>) => Promise<string>): Promise<ActionResult> {
  try {
    const identity = await requireOperator();
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { error: `${issue.path.join(".") || "input"}: ${issue.message}` };
    }
    const ok = await act(identity, parsed.data);
    revalidatePath("/adaptations");
    return { ok };
  } catch (e) {
    if (e instanceof AppError) return { error: e.message };
    console.error(e);
    return { error: "Something went wrong on the server. The details are in the server log." };
  }
}

export async function approveAction(input: unknown): Promise<ActionResult> {
  return run(approveSchema, input, async (identity, d) => {
    const { version } = await approveAdaptation({ kind: "operator", identity }, { id: d.id, reason: d.reason || undefined });
    return `Approved: version ${version} is now in production.`;
  });
}

export async function rejectAction(input: unknown): Promise<ActionResult> {
  return run(rejectSchema, input, async (identity, d) => {
    await rejectAdaptation({ kind: "operator", identity }, d);
    return "Rejected.";
  });
}

export async function startAbAction(input: unknown): Promise<ActionResult> {
  return run(startAbSchema, input, async (identity, d) => {
    await startExperiment({ kind: "operator", identity }, { adaptationId: d.id, trafficSplit: d.trafficSplit, minSamples: d.minSamples });
    return "A/B test started.";
  });
}

export async function stopExperimentAction(input: unknown): Promise<ActionResult> {
  return run(stopSchema, input, async (identity, d) => {
    await stopExperiment({ kind: "operator", identity }, d);
    return "Experiment stopped; production stays.";
  });
}

export async function rollbackAction(input: unknown): Promise<ActionResult> {
  return run(rollbackSchema, input, async (identity, d) => {
    const { version } = await rollbackTo({ kind: "operator", identity }, d);
    return `Rolled back: version ${version} (a copy) is now in production.`;
  });
}

export async function saveSettingsAction(input: unknown): Promise<ActionResult> {
  return run(settingsSchema, input, async (identity, d) => {
    await saveCycleSettings({ kind: "operator", identity }, d);
    return "Settings saved.";
  });
}

/** Share a learned routing pattern with everyone, or retire it. */
export async function decidePatternAction(input: unknown): Promise<ActionResult> {
  return run(patternDecisionSchema, input, async (identity, d) => {
    await decidePattern({ kind: "operator", identity }, d);
    return d.decision === "share" ? "The pattern now applies to everyone's similar requests." : "The pattern is retired.";
  });
}
