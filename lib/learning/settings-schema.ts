import { z } from "zod";

/** The learning cycle settings an operator can change (validated on the server action). */
export const settingsSchema = z.object({
  promoteThreshold: z.number().min(0.5).max(0.9999),
  stopThreshold: z.number().min(0.0001).max(0.5),
  minSamples: z.number().int().min(1).max(100000),
  maxLooks: z.number().int().min(1).max(20),
  maxDurationHours: z.number().int().min(1).max(24 * 365),
  autonomy: z.boolean(),
  analysisIntervalMinutes: z.number().int().min(0).max(7 * 24 * 60),
  /** the most of an experiment arm one user's conversations may count for (0.01 … 1) */
  maxUserShare: z.number().min(0.01).max(1).optional(),
  guardrails: z.object({
    maxErrorRateIncrease: z.number().min(0).max(1),
    maxP95Ratio: z.number().min(1).max(100),
    minP95IncreaseMs: z.number().min(0).max(600000),
    minSamples: z.number().int().min(1).max(100000),
  }),
});

