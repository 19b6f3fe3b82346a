/**
 * Each request's embedding (private.request_embeddings), written once with its answer's record,
 * in a table of its own: in the interaction's row every later change of the row (a rating, a
 * verdict) made the HNSW index take it again. The confirmed requests' copies, the classifier's
 * neighbours, are kept by the database's triggers.
 */
import type { Queryable } from "../types";
import { vectorLiteral } from "./vector-literal";

/** Records a request's embedding; a second write for the same request changes nothing. */
export async function recordRequestEmbedding(q: Queryable, { id, vector, model }: { id: string; vector: number[]; model: string }): Promise<void> {
  await q.query(
    `insert into private.request_embeddings (interaction_id, embedding, embedding_model)
     values ($1, $2::extensions.vector, $3) on conflict (interaction_id) do nothing`,
    [id, vectorLiteral(vector), model],
  );
}

/** A request's embedding and the model that made it; null when none was recorded. */
export async function getInteractionEmbedding(tx: Queryable, { id }: { id: string }): Promise<{ embedding: number[]; model: string } | null> {
  const { rows } = await tx.query<{ e: string | null; m: string | null }>(
    "select embedding::text as e, embedding_model as m from private.request_embeddings where interaction_id = $1",
    [id],
  );
  return rows[0]?.e ? { embedding: JSON.parse(rows[0].e), model: rows[0].m ?? "" } : null;
}
