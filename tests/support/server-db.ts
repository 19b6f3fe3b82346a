import { afterAll, beforeAll } from "vitest";
import { createTestDb, urlOf } from "./db";
import { useDatabase, type Database } from "../../lib/db";
import { resetLearningCache } from "../../lib/learning/store";

/**
 * For tests/postgres (run by `npm run test:postgres` only): a fresh database on the
 * PostgreSQL server, used by the app's own code during the file's tests, with its URL for
 * other connections and processes. Read `db` and `url` inside tests (set by then).
 */
export function serverTestDb(): { db: Database; url: string } {
  const t = { db: undefined as unknown as Database, url: "" };
  beforeAll(async () => {
    t.db = await createTestDb();
    const u = urlOf(t.db);
    if (!u) throw new Error("tests/postgres runs on the PostgreSQL server: use npm run test:postgres");
    t.url = u;
    useDatabase(t.db);
    resetLearningCache();
  });
  afterAll(() => t.db?.close());
  return t;
}
