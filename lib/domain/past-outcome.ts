/** A past request near a new one, with the model that answered it and the reward it earned. */
export interface PastOutcome {
  model: string;
  /** reward in [0, 1] */
  reward: number;
  /** cosine similarity to the request */
  similarity: number;
}
