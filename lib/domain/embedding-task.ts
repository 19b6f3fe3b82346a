/**
 * What a text is embedded for. nomic-embed-text (v1 and v1.5) was trained with a task
 * prefix on every input and expects one: `search_query: ` for a question, `search_document: `
 * for a passage that may answer one, `clustering: ` for texts grouped by topic. Other models
 * get the text as it is.
 */
export type EmbeddingTask = "query" | "document" | "clustering";

const NOMIC_PREFIX: Record<EmbeddingTask, string> = {
  query: "search_query: ",
  document: "search_document: ",
  clustering: "clustering: ",
};

export function usesTaskPrefixes(model: string): boolean {
  return /(^|\/)nomic-embed-text/i.test(model);
}

/** The input to send the embedding model for `text` embedded for `task`. */
export function embeddingInput(model: string, task: EmbeddingTask, text: string): string {
  return usesTaskPrefixes(model) ? NOMIC_PREFIX[task] + text : text;
}
