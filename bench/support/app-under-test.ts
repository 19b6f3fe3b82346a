/**
 * The built app under test for benchmarks: the simulator, a fresh embedded database with an
 * API key, and `next start` on them (bench:api, bench:classification -- --api).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import postgres from "postgres";
import { openPostgres } from "../../lib/db/postgres";
import fs from "node:fs";
import path from "node:path";
import { openPglite } from "../../lib/db/pglite";
import { migrate } from "../../lib/db/migrate";
import { withClaims } from "../../lib/db/session";
import { createApiKey } from "../../lib/db/queries/api-keys";
import { LOCAL_OPERATOR_CLAIMS } from "../../lib/auth/claims";
import { generateApiKey } from "../../lib/api/key-format";
import { serverCommand } from "../../scripts/server-command";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** A node process (`args` after node itself) that prints "listening on <url>" once it serves; its URL. */
async function startListening(name: string, args: string[], env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = out.match(/listening on (http:\/\/[^\s)]+)/);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return { url, child };
}

/** The simulator CLI on a free port, at a time scale, with a model kept loaded, serving the models of a profile file (default: the shared one). */
export function startSim({ timeScale, loaded, profilesFile }: { timeScale: number; loaded?: string; profilesFile?: string }): Promise<{ url: string; child: ChildProcess }> {
  return startListening("simulator", ["--import", "tsx", "sim/cli.ts", "--port", "0", "--time-scale", String(timeScale), ...(loaded ? ["--loaded", loaded] : [])], profilesFile ? { SIM_PROFILES: profilesFile } : {});
}

/** bench:api's floor: the bare proxy (bench/api/bare-proxy.mjs) in a process of its own, in front of `upstream`, 2 streams per model. */
export function startBareProxy(upstream: string): Promise<{ url: string; child: ChildProcess }> {
  return startListening("the bare proxy", ["bench/api/bare-proxy.mjs", upstream, "2"]);
}

/**
 * A fresh embedded database with one API key of the local operator (who may change routing
 * through `PUT /api/routing`), closed before the app opens it.
 */
export async function seedDatabase(dataDir: string): Promise<string> {
  fs.rmSync(dataDir, { recursive: true, force: true });
  const db = await openPglite({ dataDir });
  await migrate(db, { local: true });
  const key = generateApiKey();
  await withClaims(db, LOCAL_OPERATOR_CLAIMS, async (tx) => {
    await createApiKey(tx, { name: "bench", prefix: key.prefix, keyHash: key.hash });
  });
  await db.close();
  return key.secret;
}

/** The PostgreSQL 15 + pgvector server of scripts/postgres.sh (installed and started when needed); its URL. */
export function startPostgresServer(): string {
  return execFileSync("bash", ["scripts/postgres.sh", "start"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
}

export function stopPostgresServer(): void {
  execFileSync("bash", ["scripts/postgres.sh", "stop"], { cwd: ROOT, stdio: "inherit" });
}

const BENCH_USER = "d0000000-0000-4000-8000-00000000000d";

/**
 * A fresh database `name` on the server, migrated by the app's runner (with what Supabase
 * already has), and one API key of a signed-in user. Returns the app's environment for it
 * (Supabase mode: API keys need no Auth server, so the Auth URL is a placeholder) and the key.
 */
export async function seedPostgresDatabase(serverUrl: string, name: string): Promise<{ key: string; env: Record<string, string>; url: string }> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  const db = openPostgres(u.toString(), { max: 2 });
  await migrate(db, { local: true });
  const key = generateApiKey();
  await withClaims(db, { sub: BENCH_USER, role: "authenticated", aud: "authenticated", app_metadata: { provider: "email" } }, (tx) =>
    createApiKey(tx, { name: "bench", prefix: key.prefix, keyHash: key.hash }),
  );
  await db.close();
  return {
    key: key.secret,
    url: u.toString(),
    env: { DATABASE_URL: u.toString(), NEXT_PUBLIC_SUPABASE_URL: "http://127.0.0.1:9", NEXT_PUBLIC_SUPABASE_ANON_KEY: "bench-placeholder-anon-key-0000" },
  };
}

/** `next start` of the built app (NEXT_DIST_DIR) on the embedded database and the simulator; resolves when /api/health answers. */
export async function startApp(
  dataDir: string,
  simUrl: string,
  { port, distDir, env = {} }: { port: number; distDir: string; env?: Record<string, string> },
): Promise<{ url: string; child: ChildProcess }> {
  if (!fs.existsSync(path.join(ROOT, distDir, "BUILD_ID"))) throw new Error(`no build in ${distDir}: run \`npm run build\` (or set NEXT_DIST_DIR)`);
  const child = spawn(...serverCommand(port), {
    cwd: ROOT,
    // Benchmarks send far more than a person would: the per-user rate limits are on, as by
    // default, so their cost is measured, but set far above what a benchmark sends.
    env: {
      ...process.env, PGLITE_DATA_DIR: dataDir, OLLAMA_HOST: simUrl, NEXT_DIST_DIR: distDir,
      RATE_LIMIT_CHAT_PER_MINUTE: "10000000", RATE_LIMIT_FEEDBACK_PER_MINUTE: "10000000", RATE_LIMIT_COMPLETIONS_PER_MINUTE: "10000000", ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true, // its own process group, so the whole server stops with it
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (await fetch(`${url}/api/health`).then((r) => r.ok, () => false)) return { url, child };
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the app did not start");
}

/**
 * Stops an app started by startApp (its whole process group) and, once it has exited, removes
 * its embedded database: removing it while the server still writes there races (ENOTEMPTY).
 */
export async function stopApp(app: { child: ChildProcess } | null | undefined, dataDir: string): Promise<void> {
  if (app?.child.pid && app.child.exitCode === null && app.child.signalCode === null) {
    const exited = new Promise((r) => app.child.once("exit", r));
    try {
      process.kill(-app.child.pid, "SIGTERM");
      await exited;
    } catch {
      /* already gone */
    }
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(`${dataDir}.lock`, { force: true });
}
