/**
 * The simulator's HTTP server: routes each request to its endpoint (sim/generation.ts,
 * sim/embed-endpoint.ts, sim/model-endpoints.ts), all sharing one SimState (sim/state.ts), and
 * the control surface tests use (`/__sim/*` and the Simulator object: faults, statistics,
 * reset, stop and start listening).
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { FaultRule } from "./faults";
import { buildCatalogue, loadProfiles, profilesPath } from "./models";
import { BadRequest, json, readBody, type Json } from "./http-io";
import { embedEndpoint } from "./embed-endpoint";
import { generation } from "./generation";
import { pull, running, show, tags } from "./model-endpoints";
import { SimState, type SimStats } from "./state";

export type { SimStats } from "./state";

export interface SimulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Seeds answer quality, content and probabilistic faults. */
  seed?: number;
  /** Multiplies load time, time to first token and token intervals; 0 answers at once. */
  timeScale?: number;
  faults?: FaultRule[];
  /** Models loaded (as in /api/ps) from the start. */
  loaded?: string[];
  /** Models installed (in /api/tags); default all the profile's models. Others can be pulled. */
  models?: string[];
  profilesFile?: string;
}

export interface Simulator {
  url: string;
  port: number;
  close(): Promise<void>;
  setFaults(rules: FaultRule[]): void;
  clearFaults(): void;
  stats(): SimStats;
  /** Forgets loaded models, attempt counters and statistics. */
  reset(): void;
  /** `false` stops listening (new connections are refused, open ones are destroyed); `true` listens again on the same port. */
  setListening(on: boolean): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const state = new SimState(buildCatalogue(loadProfiles(options.profilesFile ?? profilesPath())), {
    seed: options.seed ?? 1,
    timeScale: options.timeScale ?? 1,
    faults: options.faults ?? [],
    loaded: options.loaded ?? [],
    models: options.models,
  });
  const bindHost = options.host ?? "127.0.0.1";

  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) res.destroy();
      else if (e instanceof BadRequest) json(res, 400, { error: e.message });
      else json(res, 500, { error: e instanceof Error ? e.message : String(e) });
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  async function admin(req: http.IncomingMessage, res: http.ServerResponse, path: string) {
    if (path === "/__sim/stats") return json(res, 200, state.stats);
    if (path === "/__sim/reset" && req.method === "POST") {
      state.reset();
      return json(res, 200, { ok: true });
    }
    if (path === "/__sim/faults" && req.method === "DELETE") {
      state.setFaults([]);
      return json(res, 200, { faults: state.faultRules });
    }
    if (path === "/__sim/faults" && req.method === "POST") {
      const body = (await readBody(req)) as Json;
      try {
        state.setFaults("faults" in body ? body.faults : body);
      } catch (e) {
        return json(res, 400, { error: (e as Error).message });
      }
      return json(res, 200, { faults: state.faultRules });
    }
    if (path === "/__sim/faults") return json(res, 200, { faults: state.faultRules });
    res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found");
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const path = new URL(req.url ?? "/", "http://sim").pathname;
    const route = `${req.method} ${path}`;
    if (path.startsWith("/__sim/")) return admin(req, res, path);
    switch (route) {
      case "POST /api/chat":
        return generation(state, req, res, "chat");
      case "POST /api/generate":
        return generation(state, req, res, "generate");
      case "POST /api/embed":
        return embedEndpoint(state, req, res, false);
      case "POST /api/embeddings":
        return embedEndpoint(state, req, res, true);
      case "POST /api/show":
        return show(state, req, res);
      case "POST /api/pull":
        return pull(state, req, res);
    }
    state.track(res, route, undefined, false);
    switch (route) {
      case "GET /":
      case "HEAD /":
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        return void res.end(req.method === "HEAD" ? undefined : "Ollama is running");
      case "GET /api/tags":
        return tags(state, res);
      case "GET /api/ps":
        return running(state, res);
      case "GET /api/version":
        return json(res, 200, { version: "0.12.0-sim", simulator: true });
      default:
        res.writeHead(404, { "content-type": "text/plain" });
        return void res.end("404 page not found");
    }
  }

  let port = options.port ?? 0;
  const listen = () =>
    new Promise<void>((ok, fail) => {
      server.once("error", fail);
      server.listen(port, bindHost, () => {
        server.off("error", fail);
        port = (server.address() as AddressInfo).port;
        ok();
      });
    });
  const stopListening = () =>
    new Promise<void>((ok) => {
      if (!server.listening) return ok();
      server.close(() => ok());
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
    });
  await listen();

  return {
    url: `http://${bindHost}:${port}`,
    port,
    close: stopListening,
    setFaults: (next) => state.setFaults(next),
    clearFaults: () => state.setFaults([]),
    stats: () => structuredClone(state.stats),
    reset: () => state.reset(),
    async setListening(on) {
      if (on && !server.listening) await listen();
      if (!on) await stopListening();
    },
  };
}
