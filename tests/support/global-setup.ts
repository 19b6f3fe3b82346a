import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openPglite } from "../../lib/db/pglite";
import { migrate } from "../../lib/db/migrate";
import { wordVectors } from "../../sim/word-vectors";
import { prepareServerTemplate, TEST_SERVER_URL } from "./db";

/**
 * Migrates one database per test run; each test file starts from a copy (tests/support/db.ts)
 * instead of paying for the migrations again. On PGlite the template is a dump of a migrated
 * data directory; on a PostgreSQL server it is a template database.
 */
export default async function setup() {
  wordVectors(); // the simulated embedding model's word vectors, cached once before the workers start
  if (TEST_SERVER_URL) return prepareServerTemplate(TEST_SERVER_URL);
  const db = await openPglite();
  await migrate(db, { local: true });
  const dump = await db.pg.dumpDataDir("none");
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "elite-template-")), "template.tar");
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await db.close();
  process.env.ELITE_TEST_TEMPLATE = file;
  return () => fs.rmSync(path.dirname(file), { recursive: true, force: true });
}
