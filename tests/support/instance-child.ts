/**
 * A second app instance for tests/postgres: the app's own learning store and job queue on the
 * database at URL, in a process of its own. Prints one JSON line with what it did.
 *   outcomes URL N   records N outcomes at once (one row, the same reward)
 *   claim URL        claims queued jobs until none is left and prints their ids
 */
import { useDatabase } from "../../lib/db";
import { openPostgres } from "../../lib/db/postgres";
import { claimJob } from "../../lib/db/queries/jobs";
import { recordOutcome } from "../../lib/learning/store";

const [mode, url, n] = process.argv.slice(2);
const db = openPostgres(url, { max: 10 });
useDatabase(db);

async function main(): Promise<unknown> {
  if (mode === "outcomes") {
    await Promise.all(Array.from({ length: Number(n) }, () => recordOutcome({ taskType: "debugging", model: "shared-model", reward: 0.75, success: true })));
    return { recorded: Number(n) };
  }
  if (mode === "claim") {
    const ids: string[] = [];
    for (;;) {
      const job = await db.transaction((tx) => claimJob(tx, { kinds: ["reembed"] }));
      if (!job) return { ids };
      ids.push(job.id);
    }
  }
  throw new Error(`unknown mode ${mode}`);
}

main()
  .then(async (out) => {
    console.log(JSON.stringify(out));
    await db.close();
    process.exit(0);
  })
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
