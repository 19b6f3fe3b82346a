import type { Attempt, Decision } from "./events";

/** One answer as the chat shows it (an interaction, or one still streaming). */
export interface Turn {
  id: string; // interaction id; a temporary id until the server names it
  parentId: string | null; // set on a regenerated answer: the answer it was regenerated from
  prompt: string;
  response: string;
  /** interrupted: the server stopped while answering; the response is the text checkpointed before */
  status: "streaming" | "completed" | "failed" | "cancelled" | "interrupted";
  decision: Decision | null;
  notices: Attempt[]; // failed attempts the user saw replaced by the next model
  error: { code: string; message: string } | null;
  rating: number | null;
  feedback: Feedback;
  createdAt: string;
}

export interface Feedback {
  thumbs?: "up" | "down";
  tags?: QuickTag[];
  correction?: string;
  betterModel?: string;
  copied?: boolean;
  preferred?: boolean; // chosen as the better of its siblings
  taskType?: string; // the task type the user said the request really was
  comment?: string; // what should be different about answers like this
  /** what the user's next message (by: its id) said about this answer, or that they left after it broke (by: null); written by the server */
  implicit?: { signal: "failed" | "thanks" | "rephrase" | "abandoned"; by: string | null; at: string };
}

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: string;
  /** asked in from an editor or another client, through the compatible APIs */
  fromApi: boolean;
}

export interface ModelChoice {
  model: string;
  /** the role it plays; "" for a model routed without a role */
  role: string;
  label: string;
}

export const QUICK_TAGS = ["needs comments", "too long", "wrong", "incomplete", "great"] as const;
export type QuickTag = (typeof QUICK_TAGS)[number];
