/**
 * Supabase's database linter rules that apply to this schema, checked over the migrated
 * database: functions with a fixed search_path, security definer functions not exposed to the
 * API roles (but the one narrow path meant for them), RLS on every public table, and policies
 * that call auth helpers once per query (`(select …)`), not once per row.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "../../tests/support/db";
import type { Database } from "../../lib/db/types";

let db: Database;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db?.close());

/** Security definer functions the API roles may call, and why. */
const EXPOSED_DEFINERS: Record<string, string> = {
  "public.give_feedback": "the one narrow, validated path by which a user writes feedback on their own interaction",
};

/**
 * Pure SQL expressions over built-ins, inlined by the planner into the rollup queries (a fixed
 * search_path would stop the inlining); they reference no table and no unqualified function
 * that a search_path could redirect.
 */
const INLINED_PURE_SQL = ["automatic_reward", "confirmed_request", "confirmed_task_type", "evidence_add", "evidence_drop", "evidence_shift", "hist_add", "implicit_good", "implicit_poor", "implicit_reward", "interaction_arm", "interaction_attempts", "interaction_model", "interaction_reward", "jsonb_affine", "latency_bucket", "next_rev", "verdict_good", "verdict_poor", "verdict_reward"].map((n) => `private.${n}`);

interface Fn {
  name: string;
  secdef: boolean;
  config: string[] | null;
  lang: string;
  volatility: string;
  anon: boolean;
  auth: boolean;
  body: string;
}

async function functions(): Promise<Fn[]> {
  const { rows } = await db.query<Fn>(`
    select n.nspname || '.' || p.proname as name, p.prosecdef as secdef, p.proconfig as config, l.lanname as lang,
      p.provolatile::text as volatility, has_function_privilege('anon', p.oid, 'execute') as anon,
      has_function_privilege('authenticated', p.oid, 'execute') as auth, p.prosrc as body
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
    where n.nspname in ('public', 'private')`);
  return rows;
}

describe("database linter rules", () => {
  it("every function has a fixed search_path, but for the pure SQL expressions the planner inlines", async () => {
    const fns = await functions();
    expect(fns.length).toBeGreaterThan(10);
    const mutable = fns.filter((f) => !f.config?.some((c) => c.startsWith("search_path="))).map((f) => f.name).sort();
    expect(mutable).toEqual([...INLINED_PURE_SQL].sort());
    for (const f of fns.filter((x) => INLINED_PURE_SQL.includes(x.name))) {
      expect(f.lang, f.name).toBe("sql");
      expect(f.volatility, f.name).toBe("i"); // immutable
      expect(f.body, f.name).not.toMatch(/\binsert\s+into\b|\bdelete\s+from\b|\bfrom\s+(public|private)\.|\bjoin\b|\bupdate\s+(public|private)\./i); // no table read or written
    }
  });

  it("the planner does inline the reward into a query over the interactions (no function call per row)", async () => {
    const { rows } = await db.query<{ "QUERY PLAN": string }>(
      "explain (verbose, costs off) select private.interaction_reward(i.status, i.success_rating, i.feedback) from public.interactions i",
    );
    const plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).toMatch(/feedback/);
    expect(plan).not.toMatch(/private\./);
  });

  it("no security definer function is exposed to the API roles but the narrow path meant for them", async () => {
    const exposed = (await functions()).filter((f) => f.secdef && (f.anon || f.auth)).map((f) => f.name).sort();
    expect(exposed).toEqual(Object.keys(EXPOSED_DEFINERS).sort());
    for (const f of (await functions()).filter((x) => x.name in EXPOSED_DEFINERS)) expect(f.anon, `${f.name} is not for anon`).toBe(false);
  });

  it("every public table has row level security", async () => {
    const { rows } = await db.query<{ relname: string }>(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity`,
    );
    expect(rows).toEqual([]);
  });

  it("policies call the auth helpers once per query, inside (select …)", async () => {
    const { rows } = await db.query<{ name: string; expr: string }>(
      `select tablename || ': ' || policyname as name, coalesce(qual, '') || ' ' || coalesce(with_check, '') as expr from pg_policies where schemaname = 'public'`,
    );
    expect(rows.length).toBeGreaterThan(20);
    const helper = /(private\.current_user_id|private\.is_operator|auth\.uid|auth\.jwt)\(\)/g;
    for (const p of rows) {
      const calls = (p.expr.match(helper) ?? []).length;
      const wrapped = (p.expr.match(/SELECT (private\.current_user_id|private\.is_operator|auth\.uid|auth\.jwt)\(\)/g) ?? []).length;
      expect(wrapped, `${p.name}: ${p.expr}`).toBe(calls);
    }
  });
});
