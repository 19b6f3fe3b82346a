// The embedded database on a thread of its own (see pglite-thread.ts). Plain JavaScript, so
// Node runs it as it is, from the server or from tests, with no compile step.
//
// Messages in:  { id, op: "query", sql, params, tx } | { id, op: "exec", sql, tx }
//               { id, op: "begin" } | { id, op: "end", tx, commit } | { id, op: "listen", channel }
//               { id, op: "unlisten", channel } | { id, op: "close" }
// Messages out: { id, ok: true, value } | { id, ok: false, error } | { notify: channel, payload }
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";

const { dataDir, searchPath } = workerData;
const ready = (async () => {
  const pg = await PGlite.create(dataDir, { extensions: { vector }, relaxedDurability: false });
  await pg.exec(searchPath);
  return pg;
})();

/** Open transactions: id → { tx, finish(commit) }. */
const transactions = new Map();
/** Channel → the function that stops listening. */
const listening = new Map();
let nextTx = 1;

const ROLLBACK = Symbol("rollback");

/** An error as plain data, keeping what PostgreSQL says about it. */
function plain(e) {
  const out = { name: e?.name ?? "Error", message: e?.message ?? String(e) };
  for (const k of ["code", "detail", "hint", "position", "where", "schema", "table", "column", "dataType", "constraint", "severity"]) {
    if (e && e[k] !== undefined) out[k] = e[k];
  }
  return out;
}

function target(pg, tx) {
  if (tx === undefined || tx === null) return pg;
  const t = transactions.get(tx);
  if (!t) throw new Error(`no open transaction ${tx}`);
  return t.tx;
}

async function handle(pg, m) {
  switch (m.op) {
    case "query": {
      const res = await target(pg, m.tx).query(m.sql, m.params);
      return res.rows;
    }
    case "exec":
      await target(pg, m.tx).exec(m.sql);
      return null;
    case "begin": {
      const id = nextTx++;
      let opened;
      const started = new Promise((resolve) => (opened = resolve));
      const settled = pg
        .transaction(
          (tx) =>
            new Promise((resolve, reject) => {
              transactions.set(id, { tx, finish: (commit) => (commit ? resolve() : reject(ROLLBACK)) });
              opened();
            }),
        )
        .then(
          () => undefined,
          (e) => {
            if (e !== ROLLBACK) throw e;
          },
        )
        .finally(() => transactions.delete(id));
      settled.catch(() => {}); // reported by "end" (or below, when BEGIN itself failed)
      await Promise.race([started, settled]);
      transactions.get(id).settled = settled;
      return id;
    }
    case "end": {
      const t = transactions.get(m.tx);
      if (!t?.finish) throw new Error(`no open transaction ${m.tx}`);
      t.finish(m.commit);
      await t.settled;
      return null;
    }
    case "listen": {
      if (!listening.has(m.channel)) {
        const stop = await pg.listen(m.channel, (payload) => parentPort.postMessage({ notify: m.channel, payload }));
        listening.set(m.channel, stop);
      }
      return null;
    }
    case "unlisten": {
      const stop = listening.get(m.channel);
      listening.delete(m.channel);
      if (stop) await stop();
      return null;
    }
    case "close":
      await pg.close();
      return null;
    default:
      throw new Error(`unknown operation ${m.op}`);
  }
}

parentPort.on("message", (m) => {
  ready
    .then((pg) => handle(pg, m))
    .then(
      (value) => parentPort.postMessage({ id: m.id, ok: true, value }),
      (e) => parentPort.postMessage({ id: m.id, ok: false, error: plain(e) }),
    );
});

ready.then(
  () => parentPort.postMessage({ ready: true }),
  (e) => parentPort.postMessage({ ready: false, error: plain(e) }),
);
