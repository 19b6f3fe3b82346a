import { storableText } from "@/lib/domain";
import { z } from "zod";
import { settingsSchema } from "@/lib/learning/settings-schema";

export const idSchema = z.object({ id: z.uuid() });
export const approveSchema = z.object({ id: z.uuid(), reason: storableText().trim().max(500).optional() });
export const rejectSchema = z.object({ id: z.uuid(), reason: storableText().trim().min(3, "Say why (at least a few words).").max(500) });
export const startAbSchema = z.object({
  id: z.uuid(),
  trafficSplit: z.coerce.number().min(0.05).max(0.95).default(0.5),
  minSamples: z.coerce.number().int().min(1).max(100000).optional(),
});
export const stopSchema = z.object({ id: z.uuid(), reason: storableText().trim().min(3, "Say why (at least a few words).").max(500) });
export const rollbackSchema = z.object({ versionId: z.uuid(), reason: storableText().trim().min(3, "Say why (at least a few words).").max(500) });
export const patternDecisionSchema = z.object({ id: z.uuid(), decision: z.enum(["share", "retire"]), reason: storableText().trim().max(500).optional() });
export { settingsSchema };

export type ActionResult = { ok?: string; error?: string };
