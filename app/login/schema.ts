import { z } from "zod";

export const passwordLoginSchema = z.object({
  email: z.email("Enter a valid email address"),
  password: z.string().min(6, "The password has at least 6 characters"),
  next: z.string().regex(/^\/[^/\\]/, "next must be a path on this site").optional().catch(undefined),
});

export const magicLinkSchema = z.object({
  email: z.email("Enter a valid email address"),
});

export type LoginState = { error?: string; message?: string; fields?: Record<string, string> };
