import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpFetch } from "@/lib/ollama/http-fetch";

/**
 * The fetch the Ollama pool uses (node:http over kept-alive connections) keeps fetch's
 * contract where the official client and the pool rely on it: bodies stream as they arrive,
 * the signal aborts, failures carry their cause, connections are reused.
 */
let server: http.Server;
let base: string;
let connections = 0;
const release: (() => void)[] = [];
/** The server side of each /stream request's connection, in order. */
const streamSockets: import("node:net").Socket[] = [];
/** Sockets that served a request already: /idle-closed drops the next request on one of them, unanswered. */
const served = new WeakSet<import("node:net").Socket>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.url === "/echo") {
        res.writeHead(201, { "content-type": "application/json", "x-two": ["a", "b"] });
        return res.end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null }));
      }
      if (req.url === "/empty") return res.writeHead(204).end();
      if (req.url === "/idle-closed") {
        // As a server closing an idle kept-alive connection just as a request arrives on it.
        if (served.has(req.socket)) return void req.socket.destroy();
        served.add(req.socket);
        return res.writeHead(200).end("fresh");
      }
      if (req.url === "/stream") {
        // First line now, the rest only when the test says so.
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        res.write('{"n":1}\n');
        streamSockets.push(req.socket);
        release.push(() => res.end('{"n":2}\n'));
        return;
      }
      if (req.url === "/broken") {
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        res.write('{"n":1}\n');
        setImmediate(() => res.socket?.destroy());
        return;
      }
      res.writeHead(404).end("no");
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const r of release) r();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe("httpFetch", () => {
  it("sends the method, headers and body, and answers with status, headers and body", async () => {
    const res = await httpFetch(`${base}/echo`, { method: "POST", headers: { authorization: "Bearer k" }, body: JSON.stringify({ a: 1 }) });
    expect(res.status).toBe(201);
    expect(res.ok).toBe(true);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-two")).toBe("a, b");
    expect(await res.json()).toEqual({ method: "POST", body: '{"a":1}', auth: "Bearer k" });
  });

  it("reuses the connection for the next request", async () => {
    await (await httpFetch(`${base}/echo`)).text();
    const before = connections;
    for (let i = 0; i < 5; i++) await (await httpFetch(`${base}/echo`, { method: "POST", body: "x" })).text();
    expect(connections).toBe(before);
  });

  it("a request that meets a kept-alive connection the server has just closed is sent once more, on a new one", async () => {
    expect(await (await httpFetch(`${base}/idle-closed`)).text()).toBe("fresh");
    const before = connections;
    // The pool hands back the same connection; the server drops it; the request goes out again.
    const res = await httpFetch(`${base}/idle-closed`, { method: "POST", body: "x" });
    expect(await res.text()).toBe("fresh");
    expect(connections).toBe(before + 1);
  });

  it("answers 204 with no body and 404 as a response, not an error", async () => {
    const empty = await httpFetch(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const missing = await httpFetch(`${base}/missing`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("no");
  });

  it("streams the body as it arrives, before the server has finished", async () => {
    const res = await httpFetch(`${base}/stream`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('{"n":1}\n');
    release.shift()!();
    let rest = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toBe('{"n":2}\n');
  });

  it("an abort during the body errors the stream with the abort's reason", async () => {
    const controller = new AbortController();
    const res = await httpFetch(`${base}/stream`, { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    const reason = new Error("client went away");
    controller.abort(reason);
    await expect(reader.read()).rejects.toBe(reason);
    release.shift()!();
  });

  it("an aborted signal rejects before anything is sent", async () => {
    const before = connections;
    const reason = new Error("already gone");
    await expect(httpFetch(`${base}/echo`, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(connections).toBe(before);
  });

  it("a host that cannot be reached rejects with fetch's TypeError and the socket's error as cause", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = await httpFetch(`http://127.0.0.1:${port}/api/tags`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect((err as TypeError & { cause: { code: string } }).cause.code).toBe("ECONNREFUSED");
  });

  it("a connection that closes mid-body errors the stream after what arrived", async () => {
    const res = await httpFetch(`${base}/broken`);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('{"n":1}\n');
    await expect(reader.read()).rejects.toBeInstanceOf(TypeError);
  });

  it("cancelling the body closes its connection instead of reading on", async () => {
    const res = await httpFetch(`${base}/stream`);
    const reader = res.body!.getReader();
    await reader.read();
    const socket = streamSockets.at(-1)!;
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    await reader.cancel();
    await closed;
    expect(socket.destroyed).toBe(true);
    release.shift()!();
  });
});
