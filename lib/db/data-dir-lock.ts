import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export class DatabaseLockedError extends Error {
  constructor(dataDir: string, holder: { pid: number; host?: string; startedAt?: string }) {
    super(
      `The embedded database at ${dataDir} is already in use by process ${holder.pid}` +
        `${holder.host ? ` on ${holder.host}` : ""}${holder.startedAt ? ` (since ${holder.startedAt})` : ""}. ` +
        "PGlite allows one process per data directory: stop the other server first, " +
        "or point PGLITE_DATA_DIR at another directory.",
    );
    this.name = "DatabaseLockedError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  // A killed process nobody has reaped yet (a container without an init) still answers the
  // signal check: on Linux its state says it is a zombie, i.e. gone.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return true; // no /proc: trust the signal check
  }
}

/**
 * Takes the data directory's lock file, refusing when another live process holds it.
 * A lock left by a dead process is taken over. Returns the function that releases it.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  const lockPath = `${path.resolve(dataDir)}.lock`;
  fs.mkdirSync(path.dirname(lockPath), { recursive: true });
  const mine = JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, mine, { flag: "wx" });
      const release = () => {
        try {
          const held = JSON.parse(fs.readFileSync(lockPath, "utf8"));
          if (held.pid === process.pid) fs.unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
      process.once("exit", release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let holder: { pid: number; host?: string; startedAt?: string } = { pid: -1 };
      try {
        holder = JSON.parse(fs.readFileSync(lockPath, "utf8"));
      } catch {
        /* unreadable lock: treat as stale */
      }
      const sameHost = !holder.host || holder.host === os.hostname();
      if (holder.pid > 0 && (holder.pid === process.pid || !sameHost || isAlive(holder.pid))) {
        throw new DatabaseLockedError(dataDir, holder);
      }
      fs.rmSync(lockPath, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`Could not take the lock ${lockPath}`);
}
