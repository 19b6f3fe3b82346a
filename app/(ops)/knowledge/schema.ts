import { storableText } from "@/lib/domain";
import { z } from "zod";

export const idSchema = z.object({ id: z.uuid("id: expected a document or entry id") });

export const searchSchema = z.object({
  query: storableText().trim().min(1, "Type something to search for.").max(2000, "query: at most 2000 characters"),
  sources: z.array(z.enum(["document_ingestion", "user_feedback", "interaction_learning"])).max(3).optional(),
  topic: storableText().trim().max(200).optional(),
  limit: z.number().int().min(1).max(50).optional(),
});
export type SearchInput = z.infer<typeof searchSchema>;

export const reviewSchema = z.object({ id: z.uuid(), decision: z.enum(["approve", "reject"]) });

/** One upload request: up to 20 files in the form field "files". */
export const MAX_FILES_PER_REQUEST = 20;
