/** What the Knowledge page shows (plain data, safe for client components). */
export interface SearchHitView {
  id: string;
  topic: string;
  excerpt: string;
  source: string;
  documentTitle: string | null;
  score: number;
  similarity: number | null;
  textRank: number | null;
  confidence: number;
}

export interface PendingEntryView {
  id: string;
  topic: string;
  content: string;
  source: string;
  createdAt: string;
}

export type { DocumentView } from "./documents";
export type { UploadOutcome } from "./documents";
