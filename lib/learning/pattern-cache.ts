import "server-only";
import { asSystem } from "@/lib/db";
import { onChange } from "@/lib/db/changes";
import { activePatternMembers, routingPatternsById, type PatternMemberHit } from "@/lib/db/queries/pattern-members";
import type { RoutingPatternRow } from "@/lib/db/queries/learning";
import { refreshing } from "@/lib/refreshing";
import { dot } from "./vectors";

/**
 * The active routing patterns and their members, in memory, so that the request path reads
 * no pattern rows: a trigger in the database announces every change to them (from any
 * instance, or an operator through the API) and the copy is dropped; it is also re-read
 * when older than MAX_AGE_MS, in case a notification was missed (in the background: the old
 * copy answers meanwhile). Beyond MAX_MEMBERS the members stay in the database (the HNSW
 * index serves them there).
 */
const MAX_AGE_MS = 30_000;
const MAX_MEMBERS = 20_000;
/** As many nearest members as the database query returns (nearestPatternMembers). */
const NEAREST = 24;

type PatternRow = Omit<RoutingPatternRow, "similarity"> & { task_types: string[] };
interface Snapshot {
  at: number;
  members: { pattern_id: string; agrees: boolean; embedding_model: string; embedding: number[]; norm: number }[];
  patterns: Map<string, PatternRow>;
}

/**
 * The copy: read at first use and after a change (a "patterns" notification from any
 * instance); older than MAX_AGE_MS, still answering at once while one re-read runs in the
 * background (lib/refreshing.ts), so a routed request does not wait for it.
 */
const copy = refreshing("__elitePatterns", load, { freshMs: MAX_AGE_MS });
const forget = () => copy.forget();

async function load(): Promise<Snapshot | null> {
  onChange("patterns", forget);
  return asSystem(async (tx) => {
    const members = await activePatternMembers(tx);
    if (members.length > MAX_MEMBERS) return null;
    const patterns = await routingPatternsById(tx, [...new Set(members.map((m) => m.pattern_id))]);
    return {
      at: Date.now(),
      members: members.map((m) => ({ ...m, norm: Math.sqrt(dot(m.embedding, m.embedding)) })),
      patterns: new Map(patterns.map((p) => [p.id, p])),
    };
  });
}

/**
 * The members nearest a request and their patterns, from memory (null when the patterns are
 * too many to keep there: the caller asks the database).
 */
export async function nearestMembersInMemory(embedding: number[], embeddingModel: string): Promise<{ members: PatternMemberHit[]; patterns: Map<string, PatternRow> } | null> {
  const s = await copy.get();
  if (!s) return null;
  const norm = Math.sqrt(dot(embedding, embedding)) || 1;
  const members = s.members
    .filter((m) => m.embedding_model === embeddingModel)
    .map((m) => ({ pattern_id: m.pattern_id, agrees: m.agrees, embedding: m.embedding, similarity: dot(embedding, m.embedding) / (norm * (m.norm || 1)) }))
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, NEAREST);
  return { members, patterns: s.patterns };
}

/** Forgets the copy (tests that write pattern rows directly). */
export function resetPatternCache(): void {
  forget();
}
