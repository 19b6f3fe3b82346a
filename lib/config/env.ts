import { z } from "zod";

/**
 * The one place environment variables are read. Parsed once with zod; empty strings count
 * as unset. Two data modes:
 * - embedded (default): PGlite in PGLITE_DATA_DIR, one local operator, no login;
 * - supabase: DATABASE_URL + NEXT_PUBLIC_SUPABASE_URL + an anon or publishable key, all set.
 * Anything half-set is an error that names the variable and what is expected.
 */

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blank, schema.optional());

const httpUrl = z
  .url({ protocol: /^https?$/, error: "expected an http(s) URL such as http://127.0.0.1:11434" })
  .transform((u) => u.replace(/\/+$/, ""));

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/.+/, "expected a postgres:// or postgresql:// connection URL");

export const ollamaHostsSchema = z
  .string()
  .transform((v) => v.split(",").map((h) => h.trim()).filter(Boolean))
  .pipe(
    z
      .array(
        z
          .string()
          .transform((h) => (/^https?:\/\//.test(h) ? h : `http://${h}`))
          .pipe(httpUrl),
      )
      .min(1, "expected at least one host, e.g. http://127.0.0.1:11434 (comma-separated for several)"),
  );

const rawSchema = z.object({
  NODE_ENV: optional(z.enum(["development", "production", "test"])),
  DATABASE_URL: optional(postgresUrl),
  NEXT_PUBLIC_SUPABASE_URL: optional(httpUrl),
  NEXT_PUBLIC_SUPABASE_ANON_KEY: optional(z.string().min(20, "expected the project's anon key (a JWT)")),
  NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY: optional(
    z.string().regex(/^sb_publishable_/, "expected a key starting with sb_publishable_"),
  ),
  PGLITE_DATA_DIR: z.preprocess(blank, z.string().default(".data/pglite")),
  OLLAMA_HOST: z.preprocess(blank, z.string().default("http://127.0.0.1:11434")).pipe(ollamaHostsSchema),
  CRON_SECRET: optional(z.string().min(16, "expected at least 16 characters")),
  RATE_LIMIT_CHAT_PER_MINUTE: z.preprocess(blank, z.coerce.number().int("expected a whole number").min(0, "expected 0 (off) or more").default(120)),
  RATE_LIMIT_FEEDBACK_PER_MINUTE: z.preprocess(blank, z.coerce.number().int("expected a whole number").min(0, "expected 0 (off) or more").default(120)),
  RATE_LIMIT_KEYS_PER_HOUR: z.preprocess(blank, z.coerce.number().int("expected a whole number").min(0, "expected 0 (off) or more").default(20)),
  RATE_LIMIT_COMPLETIONS_PER_MINUTE: z.preprocess(blank, z.coerce.number().int("expected a whole number").min(0, "expected 0 (off) or more").default(1200)),
});

export type DataMode = "embedded" | "supabase";

export interface Env {
  mode: DataMode;
  nodeEnv: "development" | "production" | "test";
  pgliteDataDir: string;
  databaseUrl?: string;
  supabase?: { url: string; key: string };
  ollamaHosts: string[];
  cronSecret?: string;
  /** per user; 0 turns a limit off */
  rateLimits: { chatPerMinute: number; feedbackPerMinute: number; keysPerHour: number; completionsPerMinute: number };
}

export class ConfigError extends Error {
  constructor(public readonly issues: { variable: string; message: string }[]) {
    super(
      "Invalid configuration:\n" +
        issues.map((i) => `  - ${i.variable}: ${i.message}`).join("\n") +
        "\nFix the variable(s) above (see the environment table in README.md) and start again.",
    );
    this.name = "ConfigError";
  }
}

const SUPABASE_VARS = [
  "DATABASE_URL",
  "NEXT_PUBLIC_SUPABASE_URL",
  "NEXT_PUBLIC_SUPABASE_ANON_KEY",
  "NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY",
] as const;

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = rawSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? "?"), message: i.message })),
    );
  }
  const raw = parsed.data;
  const key = raw.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY ?? raw.NEXT_PUBLIC_SUPABASE_ANON_KEY;
  const anySupabase = SUPABASE_VARS.some((v) => raw[v] !== undefined);

  let mode: DataMode = "embedded";
  if (anySupabase) {
    const missing: { variable: string; message: string }[] = [];
    const why = "Supabase mode needs DATABASE_URL, NEXT_PUBLIC_SUPABASE_URL and an anon or publishable key; unset all of them to use the embedded database";
    if (!raw.DATABASE_URL) missing.push({ variable: "DATABASE_URL", message: `is missing. ${why}` });
    if (!raw.NEXT_PUBLIC_SUPABASE_URL)
      missing.push({ variable: "NEXT_PUBLIC_SUPABASE_URL", message: `is missing. ${why}` });
    if (!key)
      missing.push({
        variable: "NEXT_PUBLIC_SUPABASE_ANON_KEY",
        message: `is missing (or set NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY). ${why}`,
      });
    if (missing.length) throw new ConfigError(missing);
    mode = "supabase";
  }

  return {
    mode,
    nodeEnv: raw.NODE_ENV ?? "development",
    pgliteDataDir: raw.PGLITE_DATA_DIR,
    databaseUrl: raw.DATABASE_URL,
    supabase: mode === "supabase" ? { url: raw.NEXT_PUBLIC_SUPABASE_URL!, key: key! } : undefined,
    ollamaHosts: raw.OLLAMA_HOST,
    cronSecret: raw.CRON_SECRET,
    rateLimits: { chatPerMinute: raw.RATE_LIMIT_CHAT_PER_MINUTE, feedbackPerMinute: raw.RATE_LIMIT_FEEDBACK_PER_MINUTE, keysPerHour: raw.RATE_LIMIT_KEYS_PER_HOUR, completionsPerMinute: raw.RATE_LIMIT_COMPLETIONS_PER_MINUTE },
  };
}

let cached: Env | undefined;

/** The parsed environment of this process (parsed on first use, then cached). */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}
