import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { openPglite } from "../../lib/db/pglite";
import { hashApiKey } from "../../lib/api/key-format";

/** `npm run key`: a key from a terminal, on the embedded database (the app stopped). */
const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "elite-key-cli-"));
const dataDir = path.join(dir, "db");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const key = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "--conditions=react-server", "scripts/key.ts", ...args], {
    cwd: path.resolve(import.meta.dirname, "../.."),
    env: { ...process.env, PGLITE_DATA_DIR: dataDir, DATABASE_URL: "", NEXT_PUBLIC_SUPABASE_URL: "" },
  });

describe("npm run key", () => {
  it("creates a key shown once (stored as its hash only), lists it, revokes it by prefix", async () => {
    const created = await key("create", "zed on my laptop");
    const secret = /^(eca_\S+)$/m.exec(created.stdout)?.[1];
    expect(secret).toBeTruthy();
    const listed = await key("list");
    expect(listed.stdout).toMatch(/zed on my laptop +\(never used\)/);
    const prefix = listed.stdout.split("…")[0].trim();
    expect(secret!.startsWith(prefix)).toBe(true);
    const revoked = await key("revoke", prefix);
    expect(revoked.stdout).toContain(`Revoked ${prefix}`);
    const db = await openPglite({ dataDir });
    try {
      const { rows } = await db.query<{ key_hash: string; revoked_at: Date | null; user_id: string }>("select key_hash, revoked_at, user_id from api_keys");
      expect(rows).toHaveLength(1);
      expect(rows[0].key_hash).not.toContain(secret!);
      expect(rows[0].key_hash).toBe(hashApiKey(secret!));
      expect(rows[0].revoked_at).not.toBeNull();
    } finally {
      await db.close();
    }
    await expect(key("create", "")).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/^name: /) });
    await expect(key("revoke", "eca_nothing")).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/No live key/) });
  }, 120_000);
});
