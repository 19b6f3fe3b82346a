import fs from "node:fs";
import { openPglite } from "../../lib/db/pglite";
import { migrate } from "../../lib/db/migrate";
import type { Claims } from "../../lib/db/types";

/** A fresh in-memory database with the real migrations applied (copied from the run's template). */
export async function createTestDb() {
  const template = process.env.ELITE_TEST_TEMPLATE;
  if (template && fs.existsSync(template)) {
    return openPglite({ loadDataDir: new Blob([fs.readFileSync(template)]) });
  }
  const db = await openPglite();
  await migrate(db, { local: true });
  return db;
}

export const USER_A = "a0000000-0000-4000-8000-00000000000a";
export const USER_B = "b0000000-0000-4000-8000-00000000000b";
export const OPERATOR = "c0000000-0000-4000-8000-00000000000c";

export function userClaims(sub: string, opts: { operator?: boolean } = {}): Claims {
  return {
    sub,
    role: "authenticated",
    aud: "authenticated",
    email: `${sub.slice(0, 8)}@example.test`,
    app_metadata: opts.operator ? { role: "operator", provider: "email" } : { provider: "email" },
  };
}
