/**
 * Several app instances on one PostgreSQL database (run by `npm run test:postgres` only: an
 * embedded database belongs to one process). The other instances are real processes
 * (tests/support/instance-child.ts) running the app's own learning store and job queue.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { serverTestDb } from "../support/server-db";
import { openPostgres } from "../../lib/db/postgres";
import { insertJob } from "../../lib/db/queries/jobs";
import { learningState } from "../../lib/learning/store";
import { DEFAULT_POLICY_OPTIONS } from "../../lib/learning/policy";

const server = serverTestDb();

/** Runs another instance and returns the JSON line it printed. */
function instance(...args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--conditions=react-server", "tests/support/instance-child.ts", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!)) : reject(new Error(`instance exited ${code}: ${err}`))));
  });
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await read();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    v = await read();
  }
  return v;
}

describe("several instances on one database", () => {
  it("200 outcomes written at once by two processes: none lost, and this instance's cache follows by notification", async () => {
    const cached = await learningState(); // this instance has its state in memory before the others write
    await Promise.all([instance("outcomes", server.url, "100"), instance("outcomes", server.url, "100")]);
    const { rows } = await server.db.query<{ d: { outcomes: number; rev: number; evidence: { alpha: number } } }>(
      "select performance_data as d from model_performance where model_name = 'shared-model' and task_type = 'debugging'",
    );
    expect(rows[0].d).toMatchObject({ outcomes: 200, rev: 200 });
    const d = DEFAULT_POLICY_OPTIONS.discount;
    expect(rows[0].d.evidence.alpha).toBeCloseTo((0.75 * (1 - d ** 200)) / (1 - d), 9);
    const state = await until(learningState, (s) => s.performance["shared-model::debugging"]?.rev === 200);
    expect(state).toBe(cached); // updated in place from the notifications, not re-read
    expect(state.performance["shared-model::debugging"]).toMatchObject({ outcomes: 200, successes: 200 });
  });

  it("the learning tick's lock lets one instance in at a time", async () => {
    const other = openPostgres(server.url, { max: 2 });
    try {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      const first = other.exclusively("learning.tick", async () => {
        entered();
        await held;
        return "first";
      });
      await inside;
      expect(await server.db.exclusively("learning.tick", async () => "second")).toBeNull();
      release();
      expect(await first).toBe("first");
      expect(await server.db.exclusively("learning.tick", async () => "second")).toBe("second"); // released
    } finally {
      await other.close();
    }
  });

  it("two processes draining one job queue take each job exactly once", async () => {
    const queued = [];
    for (let i = 0; i < 60; i++) queued.push((await server.db.transaction((tx) => insertJob(tx, { kind: "reembed", payload: { i } }))).id);
    const [a, b] = await Promise.all([instance("claim", server.url), instance("claim", server.url)]);
    const ids = [...(a.ids as string[]), ...(b.ids as string[])];
    expect(ids.sort()).toEqual([...queued].sort());
    expect(new Set(ids).size).toBe(60);
  });
});
