import { CHAT_TASK_TYPES, storableText } from "@/lib/domain";
import { z } from "zod";
import { QUICK_TAGS } from "@/lib/chat/types";

export const sendMessageSchema = z.object({
  conversationId: z.uuid().nullable(),
  prompt: storableText().trim().min(1, "Type a message first").max(200_000, "The message is too long (200,000 characters at most)"),
  regenerateOf: z.uuid().optional(),
  model: storableText().min(1).max(200).optional(),
});

export const feedbackSchema = z
  .object({
    interactionId: z.uuid(),
    thumbs: z.enum(["up", "down"]).optional(),
    rating: z.number().int().min(1).max(5).optional(),
    tags: z.array(z.enum(QUICK_TAGS)).max(QUICK_TAGS.length).optional(),
    correction: storableText().trim().min(1, "Write the correction first").max(20_000).optional(),
    /** what should be different about answers like this one ("add type hints", "too long") */
    comment: storableText().trim().min(1, "Write the comment first").max(20_000).optional(),
    betterModel: storableText().min(1).max(200).optional(),
    copied: z.literal(true).optional(),
    preferred: z.literal(true).optional(),
    /** "Wrong task type?": what the request really was; confirms a label the classifiers learn from. */
    taskType: z.enum(CHAT_TASK_TYPES).optional(),
  })
  .refine((f) => Object.keys(f).length > 1, { message: "Nothing to save" });
export type FeedbackInput = z.infer<typeof feedbackSchema>;

export const renameSchema = z.object({
  id: z.uuid(),
  title: storableText().trim().min(1, "A title cannot be empty").max(200, "200 characters at most"),
});
export const idSchema = z.object({ id: z.uuid() });
export const searchSchema = z.object({ query: storableText().max(200) });
