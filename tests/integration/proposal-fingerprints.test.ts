/**
 * Proposals recorded before a long instruction's fingerprint carried a digest of the whole
 * instruction get the same fingerprint as the code now gives them (the migration repeats
 * instructionSlug in SQL), so one declined before is still recognised when it comes back.
 * Runs on PGlite and, under `npm run test:postgres`, on the PostgreSQL server.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "../support/db";
import type { Database } from "../../lib/db";
import { fingerprintOf, SLUG_CHARS } from "../../lib/learning/proposal-fingerprint";
import type { ProposedChange } from "../../lib/learning/proposals";

const MIGRATION = fs.readFileSync(path.join(import.meta.dirname, "../../supabase/migrations/20261213090000_instruction_fingerprints.sql"), "utf8");

/** The fingerprint as it was recorded before: the instruction's words cut at 60 characters. */
function legacyFingerprint(change: Extract<ProposedChange, { type: "append_instruction" }>): string {
  const words = change.instruction.toLowerCase().replace(/\W+/g, "-").slice(0, SLUG_CHARS);
  return change.roles ? `system_prompt:${words}` : `system_prompt:${change.role}:${change.taskType}:${words}`;
}

const OPENING = "When the answer includes code that writes diagnostic output, use the language's logging library";
const changes: Extract<ProposedChange, { type: "append_instruction" }>[] = [
  { type: "append_instruction", role: "lead_developer", taskType: "code_generation", roles: ["lead_developer"], taskTypes: ["code_generation", "debugging"], instruction: `${OPENING} with levels, never print statements.` },
  { type: "append_instruction", role: "lead_developer", taskType: "code_generation", roles: ["lead_developer"], taskTypes: ["code_generation"], instruction: `${OPENING}, and show how to set the level from the environment.` },
  { type: "append_instruction", role: "math", taskType: "math", instruction: "Écrivez chaque étape du calcul, avec les unités, et vérifiez le résultat final à la fin — s'il vous plaît." },
  { type: "append_instruction", role: "math", taskType: "math", instruction: "Show every step." },
];

let db: Database;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db?.close());

async function fingerprints(): Promise<string[]> {
  const { rows } = await db.query<{ fingerprint: string }>("select fingerprint from adaptations order by title");
  return rows.map((r) => r.fingerprint);
}

describe("instruction fingerprints", () => {
  it("proposals recorded with the cut fingerprint get the code's, two that opened alike become two, and a second run changes nothing", async () => {
    expect(legacyFingerprint(changes[0])).toBe(legacyFingerprint(changes[1]));
    expect(fingerprintOf(changes[0])).not.toBe(fingerprintOf(changes[1]));
    for (const [i, change] of changes.entries()) {
      await db.query(`insert into adaptations (kind, title, proposed_change, fingerprint, evidence) values ('system_prompt', $1, $2::jsonb, $3, '{}'::jsonb)`, [
        `proposal ${i}`,
        JSON.stringify(change),
        legacyFingerprint(change),
      ]);
    }
    await db.query(`insert into adaptations (kind, title, proposed_change, fingerprint, evidence) values ('routing_rule', 'proposal 4', $1::jsonb, 'routing_rule:math:mathstral', '{}'::jsonb)`, [
      JSON.stringify({ type: "prefer_model", taskType: "math", model: "mathstral" }),
    ]);

    await db.query(MIGRATION);
    const expected = [...changes.map((c) => fingerprintOf(c)), "routing_rule:math:mathstral"];
    expect(await fingerprints()).toEqual(expected);
    expect(new Set(expected).size).toBe(expected.length);
    // The short instruction's fingerprint is as it always was.
    expect(expected[3]).toBe(legacyFingerprint(changes[3]));

    await db.query(MIGRATION);
    expect(await fingerprints()).toEqual(expected);
  });
});
