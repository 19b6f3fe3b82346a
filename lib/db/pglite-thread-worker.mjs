// The embedded database on a thread of its own (see pglite-thread.ts). Plain JavaScript, so
// Node runs it as it is, from the server or from tests, with no compile step.
//
// Messages in:  { id, op: "query", sql, params, tx, urgent } | { id, op: "exec", sql, tx, urgent }
//               { id, op: "begin" } | { id, op: "end", tx, commit } | { id, op: "listen", channel }
//               { id, op: "unlisten", channel } | { id, op: "close" }
// Messages out: { id, ok: true, value } | { id, ok: false, error } | { notify: channel, payload }
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";

const { dataDir, searchPath, urgentLeadMs } = workerData;
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

/** Runs one message and posts its reply; resolves when the database is free for the next. */
async function run(m) {
  let value;
  try {
    value = await handle(await ready, m);
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, error: plain(e) });
    return;
  }
  parentPort.postMessage({ id: m.id, ok: true, value });
  // A transaction holds the one connection until its "end": nothing queued may start before.
  if (m.op === "begin") await transactions.get(value)?.settled.catch(() => {});
}

// The queue. PGlite runs one statement at a time, in the order they are sent; here the
// statements a waiting user's answer depends on (`urgent`: recording a request before its
// first token, the read its routing needs, recording the answer before its end) go before
// those already waiting (learning, what is kept after an answer), which otherwise queued up
// before them under load. A statement that has waited URGENT_LEAD_MS goes next whatever
// comes, so nothing waits for ever. Statements inside an open transaction, and its end, go
// straight to it: the transaction already holds the connection.
const URGENT_LEAD_MS = urgentLeadMs ?? 200;
const urgent = [];
const others = [];
let running = false;

function nextMessage() {
  const oldest = others[0];
  if (oldest && (urgent.length === 0 || performance.now() - oldest.queuedAt >= URGENT_LEAD_MS)) return others.shift();
  return urgent.shift();
}

/** Lets the messages that came while a statement ran (PGlite runs it on this thread, blocking it) join the queue. */
const arrived = () => new Promise((resolve) => setImmediate(resolve));

async function drain() {
  if (running) return;
  running = true;
  try {
    for (let q = nextMessage(); q; await arrived(), q = nextMessage()) await run(q.m);
  } finally {
    running = false;
  }
}

parentPort.on("message", (m) => {
  if ((m.tx !== undefined && m.tx !== null) || m.op === "end") {
    void run(m);
    return;
  }
  (m.urgent ? urgent : others).push({ m, queuedAt: performance.now() });
  void drain();
});

ready.then(
  () => parentPort.postMessage({ ready: true }),
  (e) => parentPort.postMessage({ ready: false, error: plain(e) }),
);
