import type { RoutingPatternRow } from "./learning";
import type { Queryable } from "../types";
import { vectorLiteral } from "./vector-literal";

/** A request inside a routing pattern's region: one whose feedback agreed with it, or whose outcome did not. */
export interface PatternMemberHit {
  pattern_id: string;
  agrees: boolean;
  similarity: number;
  embedding: number[];
}


export async function insertPatternMember(
  tx: Queryable,
  m: { patternId: string; interactionId: string | null; userId: string | null; agrees: boolean; taskType: string | null; embedding: number[]; embeddingModel: string },
): Promise<void> {
  await tx.query(
    `insert into routing_pattern_members (pattern_id, interaction_id, user_id, agrees, task_type, embedding, embedding_model)
     values ($1, $2, $3, $4, $5, $6::extensions.vector, $7)`,
    [m.patternId, m.interactionId, m.userId, m.agrees, m.taskType, vectorLiteral(m.embedding), m.embeddingModel],
  );
}

/** The members nearest a request, among active routing patterns made with the same embedding model. */
export async function nearestPatternMembers(tx: Queryable, q: { embedding: number[]; embeddingModel: string; limit?: number }): Promise<PatternMemberHit[]> {
  const { rows } = await tx.query<Omit<PatternMemberHit, "embedding"> & { e: string }>(
    `select m.pattern_id, m.agrees, 1 - (m.embedding <=> $1::extensions.vector) as similarity, m.embedding::text as e
       from routing_pattern_members m join learning_patterns p on p.id = m.pattern_id
      where m.embedding_model = $2 and p.pattern_type = 'routing' and p.status = 'active'
      order by m.embedding <=> $1::extensions.vector limit $3`,
    [vectorLiteral(q.embedding), q.embeddingModel, q.limit ?? 24],
  );
  return rows.map(({ e, ...r }) => ({ ...r, embedding: JSON.parse(e) as number[] }));
}

/** Every member of the active routing patterns, with its embedding (the in-memory copy of lib/learning/pattern-cache.ts). */
export async function activePatternMembers(tx: Queryable): Promise<{ pattern_id: string; agrees: boolean; embedding_model: string; embedding: number[] }[]> {
  const { rows } = await tx.query<{ pattern_id: string; agrees: boolean; embedding_model: string; e: string }>(
    `select m.pattern_id, m.agrees, m.embedding_model, m.embedding::text as e
       from routing_pattern_members m join learning_patterns p on p.id = m.pattern_id
      where p.pattern_type = 'routing' and p.status = 'active'`,
  );
  return rows.map((r) => ({ pattern_id: r.pattern_id, agrees: r.agrees, embedding_model: r.embedding_model, embedding: JSON.parse(r.e) as number[] }));
}

/** Routing patterns by id (with their region's task types), for the members found near a request. */
export async function routingPatternsById(tx: Queryable, ids: string[]): Promise<(Omit<RoutingPatternRow, "similarity"> & { task_types: string[] })[]> {
  if (ids.length === 0) return [];
  const { rows } = await tx.query<Omit<RoutingPatternRow, "similarity"> & { task_types: string[] | null }>(
    `select p.id, p.task_type, p.model_name, p.success_count, p.failure_count, p.confidence_score, p.status, p.pattern_data,
            array(select distinct m.task_type from routing_pattern_members m where m.pattern_id = p.id and m.agrees and m.task_type is not null) as task_types
       from learning_patterns p where p.id = any($1::uuid[])`,
    [ids],
  );
  return rows.map((r) => ({ ...r, task_types: r.task_types ?? [] }));
}

/** Embeddings of the most recent recorded requests made by one embedding model (one per distinct prompt). */
export async function recentRequestEmbeddings(tx: Queryable, q: { embeddingModel: string; limit: number }): Promise<number[][]> {
  const { rows } = await tx.query<{ e: string }>(
    `select e from (
       select distinct on (i.user_prompt) r.embedding::text as e, i.created_at
         from private.request_embeddings r join interactions i on i.id = r.interaction_id
        where r.embedding_model = $1 and i.parent_id is null
        order by i.user_prompt, i.created_at desc) d
      order by created_at desc limit $2`,
    [q.embeddingModel, q.limit],
  );
  return rows.map((r) => JSON.parse(r.e) as number[]);
}

/** Routing patterns as an operator reviews them: who taught each, how big its region is, how it has held. */
export async function listRoutingPatterns(tx: Queryable, { limit = 100 }: { limit?: number } = {}): Promise<
  (Omit<RoutingPatternRow, "similarity"> & { task_types: string[]; agreeing: number; disagreeing: number; last_updated: Date })[]
> {
  const { rows } = await tx.query<Omit<RoutingPatternRow, "similarity"> & { task_types: string[] | null; agreeing: number; disagreeing: number; last_updated: Date }>(
    `select p.id, p.task_type, p.model_name, p.success_count, p.failure_count, p.confidence_score, p.status, p.pattern_data, p.last_updated,
            array(select distinct m.task_type from routing_pattern_members m where m.pattern_id = p.id and m.agrees and m.task_type is not null) as task_types,
            (select count(*)::int from routing_pattern_members m where m.pattern_id = p.id and m.agrees) as agreeing,
            (select count(*)::int from routing_pattern_members m where m.pattern_id = p.id and not m.agrees) as disagreeing
       from learning_patterns p where p.pattern_type = 'routing' and p.status <> 'retired'
      order by p.last_updated desc limit $1`,
    [limit],
  );
  return rows.map((r) => ({ ...r, task_types: r.task_types ?? [] }));
}

/** An operator's decision on a routing pattern: share it with everyone, or retire it. */
export async function decideRoutingPattern(tx: Queryable, { id, decision }: { id: string; decision: "share" | "retire" }): Promise<boolean> {
  const { rows } = await tx.query<{ id: string }>(
    decision === "share"
      ? `update learning_patterns set pattern_data = pattern_data || '{"approved": true}'::jsonb, last_updated = now() where id = $1 and pattern_type = 'routing' returning id`
      : `update learning_patterns set status = 'retired', last_updated = now() where id = $1 and pattern_type = 'routing' returning id`,
    [id],
  );
  return rows.length > 0;
}
