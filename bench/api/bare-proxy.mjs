// The floor for `npm run bench:api`: the least a proxy in a process of its own adds on this
// machine. A bare Node http server in front of the simulator that does only what any proxy
// of Ollama's /api/chat must: read and parse the request's body, wait for one of the model's
// slots (at most PER_MODEL streams at once, as the app's pool), call upstream over a kept-alive
// connection, and relay each NDJSON line of the answer as it comes (parsed and written again,
// as a proxy that looks at the answer must). No authentication, routing, recording or
// learning. Plain JavaScript, run by node as it is:
//
//   node bench/api/bare-proxy.mjs <upstream url> [per-model limit]   → prints "listening on <url>"
import http from "node:http";

const upstream = new URL(process.argv[2]);
const PER_MODEL = Number(process.argv[3] ?? 2);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const slots = new Map();

/** Waits for a slot of `model`; resolves to the function that gives it back. */
async function slotFor(model) {
  let s = slots.get(model);
  if (!s) slots.set(model, (s = { active: 0, waiting: [] }));
  if (s.active >= PER_MODEL) await new Promise((resolve) => s.waiting.push(resolve));
  s.active++;
  return () => {
    s.active--;
    s.waiting.shift()?.();
  };
}

function relay(body, res, release) {
  const up = http.request(
    { host: upstream.hostname, port: upstream.port, path: "/api/chat", method: "POST", agent, headers: { "content-type": "application/json" } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, { "content-type": "application/x-ndjson" });
      answer.setEncoding("utf8");
      let rest = "";
      answer.on("data", (text) => {
        const lines = (rest + text).split("\n");
        rest = lines.pop();
        for (const line of lines) if (line) res.write(`${JSON.stringify(JSON.parse(line))}\n`);
      });
      answer.on("end", () => {
        release();
        res.end(rest);
      });
    },
  );
  up.on("error", (e) => {
    release();
    if (!res.headersSent) res.writeHead(502);
    res.end(String(e));
  });
  up.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  const parts = [];
  req.on("data", (c) => parts.push(c));
  req.on("end", async () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(parts).toString("utf8"));
    } catch {
      res.writeHead(400).end("bad json");
      return;
    }
    relay(body, res, await slotFor(String(body.model)));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
