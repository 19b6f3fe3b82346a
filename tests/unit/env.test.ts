import { describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "../../lib/config/env";

const SUPABASE = {
  DATABASE_URL: "postgresql://postgres:pw@db.example.supabase.co:5432/postgres",
  NEXT_PUBLIC_SUPABASE_URL: "https://example.supabase.co",
  NEXT_PUBLIC_SUPABASE_ANON_KEY: "eyJhbGciOiJIUzI1NiJ9.anon-key-for-tests",
};

function errorOf(source: Record<string, string | undefined>): ConfigError {
  try {
    parseEnv(source);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("parseEnv", () => {
  it("defaults to the embedded mode with nothing set", () => {
    const e = parseEnv({});
    expect(e.mode).toBe("embedded");
    expect(e.pgliteDataDir).toBe(".data/pglite");
    expect(e.ollamaHosts).toEqual(["http://127.0.0.1:11434"]);
    expect(e.supabase).toBeUndefined();
  });

  it("treats empty strings as unset", () => {
    expect(parseEnv({ DATABASE_URL: "", NEXT_PUBLIC_SUPABASE_URL: " ", OLLAMA_HOST: "" }).mode).toBe("embedded");
  });

  it("splits several Ollama hosts and adds a missing scheme", () => {
    expect(parseEnv({ OLLAMA_HOST: "gpu1:11434, http://gpu2:11434/" }).ollamaHosts).toEqual([
      "http://gpu1:11434",
      "http://gpu2:11434",
    ]);
  });

  it("enters Supabase mode when everything is set, with either key", () => {
    const e = parseEnv(SUPABASE);
    expect(e.mode).toBe("supabase");
    expect(e.supabase).toEqual({ url: "https://example.supabase.co", key: SUPABASE.NEXT_PUBLIC_SUPABASE_ANON_KEY });
    const p = parseEnv({ ...SUPABASE, NEXT_PUBLIC_SUPABASE_ANON_KEY: undefined, NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: "sb_publishable_abc" });
    expect(p.supabase?.key).toBe("sb_publishable_abc");
  });

  it("names each missing variable of a half-set Supabase config", () => {
    const err = errorOf({ DATABASE_URL: SUPABASE.DATABASE_URL });
    expect(err.issues.map((i) => i.variable).sort()).toEqual(["NEXT_PUBLIC_SUPABASE_ANON_KEY", "NEXT_PUBLIC_SUPABASE_URL"]);
    expect(err.message).toMatch(/NEXT_PUBLIC_SUPABASE_URL: is missing/);
    expect(err.message).toMatch(/unset all of them to use the embedded database/);
  });

  it("names a malformed variable and what is expected", () => {
    expect(errorOf({ ...SUPABASE, DATABASE_URL: "mysql://x" }).message).toMatch(/DATABASE_URL: expected a postgres:\/\//);
    expect(errorOf({ OLLAMA_HOST: "http://" }).message).toMatch(/OLLAMA_HOST: expected an http\(s\) URL/);
    expect(errorOf({ CRON_SECRET: "short" }).message).toMatch(/CRON_SECRET: expected at least 16 characters/);
    expect(errorOf({ NODE_ENV: "staging" }).issues[0].variable).toBe("NODE_ENV");
  });
});
