/**
 * The production server (`npm start`, the e2e tests and the benchmarks run it): `next start`
 * with one addition. Requests the app offers on its fast lane (lib/api/fast-lane.ts: the
 * compatible chat, completion and embedding endpoints editors call) go straight to their
 * handlers, the same functions the route files export, without Next.js's router, which costs
 * every request 2–3 ms on a small machine; everything else goes to Next.js unchanged.
 *
 * Usage: node scripts/serve.mjs [-p <port>] [-H <hostname>] (as `next start`; PORT and
 * HOSTNAME work too). Plain JavaScript: it runs without a compile step, before Next.js loads.
 */
import http from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";

const FAST_LANE = "__eliteFastLane"; // lib/api/fast-lane.ts
/** Marks an answer given on the lane (for clients and tests that want to know which path answered). */
const LANE_HEADER = "x-elite-lane";

const { values } = parseArgs({
  options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } },
  allowPositionals: false,
});
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname ?? process.env.HOSTNAME ?? undefined;
process.env.NODE_ENV = "production"; // before Next.js loads, as `next start` sets it
const { default: next } = await import("next");

const app = next({ dev: false, dir: path.resolve(import.meta.dirname, ".."), port, hostname: hostname ?? "localhost" });
const handle = app.getRequestHandler();
await app.prepare();

/** The lane's handler for this request, or undefined (Next.js answers). The lane opens when the app's start-up hook has run. */
function laneFor(req) {
  const lane = globalThis[FAST_LANE];
  if (!lane) return undefined;
  const q = req.url.indexOf("?");
  return lane[`${req.method} ${q < 0 ? req.url : req.url.slice(0, q)}`];
}

/** The body of a Node request, whole (events, not an async iterator: cheaper per request). */
function bodyOf(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** A Node request as a web Request whose signal aborts when the client goes away (editors cancel constantly). */
async function webRequest(req, res) {
  const abort = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
  return new Request(new URL(req.url, "http://localhost"), { method: req.method, headers, body: await bodyOf(req), signal: abort.signal });
}

/** Writes a web Response to the Node response as it streams, chunk by chunk, minding back-pressure; stops reading when the client leaves. */
async function send(response, res) {
  const headers = { [LANE_HEADER]: "fast" };
  for (const [k, v] of response.headers) if (k !== "set-cookie") headers[k] = v;
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) return void res.end();
  const reader = response.body.getReader();
  res.on("close", () => void reader.cancel().catch(() => {}));
  for (;;) {
    const { done, value } = await reader.read();
    if (done || res.destroyed) break;
    if (!res.write(value)) await drainedOrClosed(res);
  }
  res.end();
}

/** Resolves when the response can take more, or has closed; leaves no listener behind. */
function drainedOrClosed(res) {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

async function answerOnLane(handler, req, res) {
  try {
    await send(await handler(await webRequest(req, res)), res);
  } catch (e) {
    if (res.headersSent || res.destroyed) return void res.destroy();
    console.error("fast lane:", e);
    res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: "Internal error." }));
  }
}

/** True when the path's percent-encoding is broken (`/chat/%E0%A4%A`): Next.js fails decoding such a path with a 500. */
function brokenPath(url) {
  if (!url.includes("%")) return false;
  const q = url.indexOf("?");
  try {
    decodeURIComponent(q < 0 ? url : url.slice(0, q));
    return false;
  } catch {
    return true;
  }
}

const server = http.createServer((req, res) => {
  if (brokenPath(req.url)) {
    res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: "The address is not valid: its path has broken percent-encoding." }));
    return;
  }
  const handler = laneFor(req);
  if (handler) return void answerOnLane(handler, req, res);
  return void handle(req, res);
});
server.listen(port, hostname, () => console.log(`Ready on http://${hostname ?? "localhost"}:${port}`));

// A stop: no new connections; what the app still owes is written (the learning of answers
// already sent, completions waiting for their batch: globalThis.__eliteDrain, set by
// instrumentation-node.ts), then Next.js closes. Five seconds at most.
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    server.close();
    setTimeout(() => process.exit(0), 5000).unref();
    Promise.resolve(globalThis.__eliteDrain?.())
      .catch((e) => console.error("stopping: what the server still owed was not all written", e))
      .then(() => app.close?.())
      .finally(() => process.exit(0));
  });
}
