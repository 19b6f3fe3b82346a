import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openPglite } from "../../lib/db/pglite";
import { migrate } from "../../lib/db/migrate";
import { wordVectors } from "../../sim/word-vectors";

/**
 * Migrates one embedded database per test run and dumps it; each test file starts from a
 * copy (tests/support/db.ts) instead of paying for the migrations again.
 */
export default async function setup() {
  wordVectors(); // the simulated embedding model's word vectors, cached once before the workers start
  const db = await openPglite();
  await migrate(db, { local: true });
  const dump = await db.pg.dumpDataDir("none");
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "elite-template-")), "template.tar");
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await db.close();
  process.env.ELITE_TEST_TEMPLATE = file;
  return () => fs.rmSync(path.dirname(file), { recursive: true, force: true });
}
