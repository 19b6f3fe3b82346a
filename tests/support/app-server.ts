/**
 * The built app (`next build`) started as a real server for tests: `next start` in a process
 * group of its own, resolved once /api/health answers; stop() ends the whole group.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { serverCommand } from "../../scripts/server-command";

export interface AppServer {
  url: string;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function assertBuilt(distDir = process.env.NEXT_DIST_DIR ?? ".next"): void {
  if (!fs.existsSync(path.join(distDir, "BUILD_ID"))) throw new Error(`These tests run the built app: no build in ${distDir} (run \`npx next build\`).`);
}

export async function startAppServer({ port, env }: { port: number; env: Record<string, string> }): Promise<AppServer> {
  assertBuilt();
  const child = spawn(...serverCommand(port), {
    env: { ...process.env, RATE_LIMIT_CHAT_PER_MINUTE: "0", RATE_LIMIT_FEEDBACK_PER_MINUTE: "0", ...env },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid!, signal);
    } catch {
      return;
    }
    await exited;
  };
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`the app server exited with ${child.exitCode}`);
    if (await fetch(`${url}/api/health`).then((r) => r.status < 500, () => false)) return { url, child, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`the app server on ${port} did not answer /api/health`);
}
