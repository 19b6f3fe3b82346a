/** The simulator's HTTP plumbing: JSON bodies in and out, and waits that end when the client leaves. */
import type http from "node:http";

export type Json = Record<string, unknown>;

export class BadRequest extends Error {}

/** Waits on behalf of one response; every wait ends early when the client goes away. */
export class Pacer {
  closed = false;
  private timer?: NodeJS.Timeout;
  private wake?: () => void;
  constructor(res: http.ServerResponse) {
    res.on("close", () => {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.wake?.();
    });
  }
  sleep(ms: number): Promise<void> {
    if (this.closed || !(ms > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.wake = undefined;
        resolve();
      }, ms);
    });
  }
  /** Never resolves unless the client goes away (the `timeout` fault). */
  hang(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => (this.wake = resolve));
  }
}

/** A JSON response with its length. */
export function json(res: http.ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** The request's JSON object ({} for an empty body); anything else is a BadRequest (400). */
export async function readBody(req: http.IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error();
    return v as Json;
  } catch {
    throw new BadRequest("invalid JSON body");
  }
}
