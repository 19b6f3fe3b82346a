/**
 * The request path reads routing patterns from memory (lib/learning/pattern-cache.ts): the
 * copy answers as the database does, and a change written by another instance (or by hand)
 * reaches it through the database trigger's notification, without this process being told.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOrchestrator } from "../support/orchestrator";
import { urlOf, USER_A } from "../support/db";
import { asSystem } from "../../lib/db";
import { openPostgres } from "../../lib/db/postgres";
import { listeningForChanges } from "../../lib/db/changes";
import { nearestPatternMembers } from "../../lib/db/queries/pattern-members";
import { getOllamaPool } from "../../lib/ollama";
import { reinforceRoutingPattern } from "../../lib/learning/patterns";
import { nearestMembersInMemory } from "../../lib/learning/pattern-cache";
import { currentRoster } from "../../lib/roster/current";

let env: Awaited<ReturnType<typeof startOrchestrator>>;
beforeAll(async () => {
  env = await startOrchestrator();
});
afterAll(() => env?.close());

async function embed(text: string) {
  const model = (await currentRoster()).embedding;
  return { model, embedding: (await getOllamaPool().embed({ model, input: [`search_query: ${text}`] })).embeddings[0] };
}

describe("routing patterns in memory", () => {
  it("answer as the database does, and follow a change made elsewhere by notification", async () => {
    const a = await embed("Make this quicksort faster on sorted input");
    const b = await embed("Speed up merge sort for nearly sorted arrays");
    expect(await nearestMembersInMemory(a.embedding, a.model)).toEqual({ members: [], patterns: new Map() });

    const taught = await reinforceRoutingPattern({ ...a, embeddingModel: a.model, taskType: "algorithm", interactionId: null, userId: USER_A, betterModel: "mathstral", worseModel: null });
    const mine = await nearestMembersInMemory(b.embedding, b.model);
    const db = await asSystem((tx) => nearestPatternMembers(tx, { embedding: b.embedding, embeddingModel: b.model }));
    expect(mine!.members.map((m) => m.pattern_id)).toEqual(db.map((m) => m.pattern_id));
    expect(mine!.members[0].similarity).toBeCloseTo(db[0].similarity, 5);
    expect(mine!.patterns.get(taught.patternId)).toMatchObject({ model_name: "mathstral", task_types: ["algorithm"] });

    await listeningForChanges(); // the cache hears the database from here on
    // Another instance retires the pattern (here: SQL on connections of its own; on PGlite the one connection).
    const url = urlOf(env.db);
    const other = url ? openPostgres(url, { max: 1 }) : env.db;
    try {
      await other.query("update learning_patterns set status = 'retired' where id = $1", [taught.patternId]);
    } finally {
      if (other !== env.db) await other.close();
    }
    const deadline = Date.now() + 10_000;
    let seen = await nearestMembersInMemory(b.embedding, b.model);
    while (seen!.members.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      seen = await nearestMembersInMemory(b.embedding, b.model);
    }
    expect(seen!.members).toEqual([]); // a retired pattern's members no longer count
  });
});
