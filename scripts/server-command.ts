import path from "node:path";

/**
 * How tests and benchmarks start the built app as `npm start` does (scripts/serve.mjs, the
 * production server): the command and arguments for a server on `port`, run from the repository root.
 */
export function serverCommand(port: number): [string, string[]] {
  return [process.execPath, [path.resolve(import.meta.dirname, "serve.mjs"), "-p", String(port)]];
}
