/**
 * The RLS matrix: one declarative spec per public table saying which roles may select,
 * insert, update and delete, plus the fixtures to exercise it. rls.test.ts turns every
 * (table × operation × role) into a test case.
 *
 * Every case runs inside a transaction that is rolled back at the end: fixtures are seeded
 * as the system (the `postgres` superuser, which bypasses RLS), the action runs through the
 * app's real `withClaims` inside a savepoint, and the outcome is then checked again as the
 * system. Cases therefore never see each other's rows.
 */
import { randomUUID } from "node:crypto";
import { withClaims } from "../../lib/db/session";
import type { Claims, Database, Queryable } from "../../lib/db/types";
import { OPERATOR, USER_A, USER_B, userClaims } from "../../tests/support/db";

export const ROLES = ["anon", "owner", "other", "operator"] as const;
export const OPS = ["select", "insert", "update", "delete"] as const;
export type Role = (typeof ROLES)[number];
export type Op = (typeof OPS)[number];

export const ROLE_LABEL: Record<Role, string> = {
  anon: "anon",
  owner: "owner",
  other: "other user",
  operator: "operator",
};

/** The user id each role acts as (the owner owns every user-owned fixture). */
export const ROLE_USER: Record<Role, string | null> = {
  anon: null,
  owner: USER_A,
  other: USER_B,
  operator: OPERATOR,
};

export function claimsFor(role: Role): Claims | null {
  if (role === "anon") return null;
  return userClaims(ROLE_USER[role]!, { operator: role === "operator" });
}

/** What a denied insert (or an update failing WITH CHECK) looks like. */
export const RLS_DENIED = /new row violates row-level security policy|permission denied/;

type Row = Record<string, unknown>;
type Parents = Record<string, string>;

export interface TableSpec {
  table: string;
  /** Rows belong to a user (the owner); otherwise owner and other are two plain users. */
  owned: boolean;
  /** The roles allowed each operation; every other role is denied. */
  allow: Record<Op, readonly Role[]>;
  /** Column identifying a row (default `id`). */
  key?: string;
  /** Rows the fixture and the insert sample depend on, created as the system. */
  parents?: (sys: Queryable) => Promise<Parents>;
  /** Creates the fixture row as the system and returns its key. Owned rows belong to USER_A. */
  fixture: (sys: Queryable, parents: Parents) => Promise<string>;
  /** A row to insert (owned rows belong to USER_A); `actor` is the acting user's id. */
  insertRow: (parents: Parents, actor: string | null) => Row;
  /** Columns an update sets, with their new values. */
  update: Row;
}

const uid = () => randomUUID();
const tag = () => randomUUID().replace(/-/g, "").slice(0, 12);

/** Inserts a row as the system and returns the value of `returning`. */
export async function sysInsert(sys: Queryable, table: string, row: Row, returning = "id"): Promise<string> {
  const cols = Object.keys(row);
  const { rows } = await sys.query<Record<string, string>>(
    `insert into public.${table} (${cols.join(", ")}) values (${cols.map((_, i) => `$${i + 1}`).join(", ")}) returning ${returning}`,
    cols.map((c) => row[c]),
  );
  return rows[0][returning];
}

async function configVersion(sys: Queryable): Promise<string> {
  return sysInsert(sys, "config_versions", { config: { prompts: {} }, summary: `fixture ${tag()}`, created_by: "system" });
}

const EVERYONE_SIGNED_IN = ["owner", "other", "operator"] as const;
const OPERATOR_ONLY = ["operator"] as const;
const OWNER_ONLY = ["owner"] as const;
const NOBODY = [] as const;

/** Shared tables that signed-in users read and only operators write. */
const sharedWrittenByOperators = {
  owned: false,
  allow: { select: EVERYONE_SIGNED_IN, insert: OPERATOR_ONLY, update: OPERATOR_ONLY, delete: OPERATOR_ONLY },
} as const;

/** Tables only operators see or touch. */
const operatorsOnly = {
  owned: false,
  allow: { select: OPERATOR_ONLY, insert: OPERATOR_ONLY, update: OPERATOR_ONLY, delete: OPERATOR_ONLY },
} as const;

/** Derived tables (the analytics rollups): operators read them, nobody writes them through the API. */
const readByOperatorsWrittenBySystem = {
  owned: false,
  allow: { select: OPERATOR_ONLY, insert: NOBODY, update: NOBODY, delete: NOBODY },
} as const;

export const SPECS: TableSpec[] = [
  // --- user-owned -------------------------------------------------------------------------
  {
    table: "conversations",
    owned: true,
    // Operators read every conversation (analytics, export) but change none of another user's.
    allow: { select: ["owner", "operator"], insert: OWNER_ONLY, update: OWNER_ONLY, delete: OWNER_ONLY },
    fixture: (sys) => sysInsert(sys, "conversations", { user_id: USER_A, title: "fixture" }),
    insertRow: () => ({ id: uid(), user_id: USER_A, title: "inserted" }),
    update: { title: "renamed" },
  },
  {
    table: "interactions",
    owned: true,
    // Server-written: users read their own and delete their own; inserting and changing them is
    // the server's (feedback goes through public.give_feedback, tested in rls.test.ts).
    allow: { select: ["owner", "operator"], insert: [], update: [], delete: OWNER_ONLY },
    parents: async (sys) => ({
      conversation: await sysInsert(sys, "conversations", { user_id: USER_A, title: "parent" }),
    }),
    fixture: (sys, p) =>
      sysInsert(sys, "interactions", { conversation_id: p.conversation, user_id: USER_A, user_prompt: "fixture" }),
    insertRow: (p) => ({ id: uid(), conversation_id: p.conversation, user_id: USER_A, user_prompt: "inserted" }),
    update: { response: "updated", success_rating: 5 },
  },
  {
    table: "completions",
    owned: true,
    // Server-written in batches (editors' fill-in-the-middle): users read and delete their own, operators read all.
    allow: { select: ["owner", "operator"], insert: [], update: [], delete: OWNER_ONLY },
    fixture: (sys) => sysInsert(sys, "completions", { user_id: USER_A, model: "fixture-model", status: "completed", prompt_chars: 10, suffix_chars: 2 }),
    insertRow: () => ({ id: uid(), user_id: USER_A, model: "inserted", status: "completed", prompt_chars: 1, suffix_chars: 0 }),
    update: { response: "forged" },
  },
  {
    table: "api_keys",
    owned: true,
    // Not even operators see another user's keys.
    allow: { select: OWNER_ONLY, insert: OWNER_ONLY, update: OWNER_ONLY, delete: OWNER_ONLY },
    fixture: (sys) =>
      sysInsert(sys, "api_keys", { user_id: USER_A, name: "fixture", prefix: "eca_fix", key_hash: `hash-${tag()}` }),
    insertRow: () => ({ id: uid(), user_id: USER_A, name: "inserted", prefix: "eca_ins", key_hash: `hash-${tag()}` }),
    update: { name: "renamed" },
  },

  // --- shared: read by signed-in users, written by operators -------------------------------
  {
    table: "model_roles",
    ...sharedWrittenByOperators,
    key: "role",
    // Every role is seeded; free one so the insert sample has room.
    parents: async (sys) => {
      await sys.query("delete from public.model_roles where role = 'architect'");
      return {};
    },
    fixture: async (sys) => {
      await sys.query(
        "insert into public.model_roles (role, model_tag) values ('embedding', 'nomic-embed-text') on conflict (role) do nothing",
      );
      return "embedding";
    },
    insertRow: () => ({ role: "architect", model_tag: "inserted-model" }),
    update: { model_tag: "updated-model" },
  },
  {
    table: "routed_models",
    owned: false,
    // A tag is added or removed, never edited: no update policy.
    allow: { select: EVERYONE_SIGNED_IN, insert: OPERATOR_ONLY, update: NOBODY, delete: OPERATOR_ONLY },
    key: "model_tag",
    fixture: (sys) => sysInsert(sys, "routed_models", { model_tag: `fixture-model-${tag()}` }, "model_tag"),
    insertRow: () => ({ model_tag: `inserted-model-${tag()}` }),
    update: { added_by: "updated" },
  },
  {
    table: "config_versions",
    owned: false,
    // Immutable: no update or delete policy, and a trigger behind it.
    allow: { select: EVERYONE_SIGNED_IN, insert: OPERATOR_ONLY, update: NOBODY, delete: NOBODY },
    fixture: (sys) => configVersion(sys),
    insertRow: (_p, actor) => ({ id: uid(), config: { prompts: {} }, summary: "inserted", created_by: actor }),
    update: { summary: "changed" },
  },
  {
    table: "config_labels",
    ...sharedWrittenByOperators,
    key: "label",
    parents: async (sys) => ({ version: await configVersion(sys) }),
    fixture: (sys, p) => sysInsert(sys, "config_labels", { label: "candidate", version_id: p.version }, "label"),
    insertRow: (p) => ({ label: "candidate", version_id: p.version }),
    update: { updated_by: "updated" },
  },
  {
    table: "app_settings",
    ...sharedWrittenByOperators,
    key: "key",
    fixture: (sys) => sysInsert(sys, "app_settings", { key: `test.fixture_${tag()}`, value: { n: 1 } }, "key"),
    insertRow: () => ({ key: `test.inserted_${tag()}`, value: { n: 1 } }),
    update: { value: { n: 2 } },
  },
  {
    table: "learning_patterns",
    ...sharedWrittenByOperators,
    fixture: (sys) => sysInsert(sys, "learning_patterns", { pattern_type: "routing", task_type: "math", model_name: "mathstral" }),
    insertRow: () => ({ id: uid(), pattern_type: "prompting", task_type: "debugging" }),
    update: { confidence_score: 0.75 },
  },
  {
    // Other users' requests: only the server's learning code reads or writes them.
    table: "routing_pattern_members",
    owned: false,
    allow: { select: NOBODY, insert: NOBODY, update: NOBODY, delete: NOBODY },
    parents: async (sys) => ({ pattern: await sysInsert(sys, "learning_patterns", { pattern_type: "routing", task_type: "math", model_name: "mathstral" }) }),
    fixture: (sys, p) => sysInsert(sys, "routing_pattern_members", { pattern_id: p.pattern, agrees: true, embedding: `[${Array(768).fill(0.01).join(",")}]`, embedding_model: "nomic-embed-text" }),
    insertRow: (p) => ({ id: uid(), pattern_id: p.pattern, agrees: true, embedding: `[${Array(768).fill(0.02).join(",")}]`, embedding_model: "nomic-embed-text" }),
    update: { agrees: false },
  },
  {
    table: "model_performance",
    ...sharedWrittenByOperators,
    fixture: (sys) => sysInsert(sys, "model_performance", { model_name: `fixture-${tag()}`, task_type: "math", success_rate: 0.5 }),
    insertRow: () => ({ id: uid(), model_name: `inserted-${tag()}`, task_type: "general", success_rate: 0.5 }),
    update: { success_rate: 0.25 },
  },
  {
    table: "documents",
    ...sharedWrittenByOperators,
    fixture: (sys) =>
      sysInsert(sys, "documents", {
        title: "fixture",
        filename: "fixture.md",
        mime_type: "text/markdown",
        size_bytes: 10,
        content_hash: `doc-${tag()}`,
        uploaded_by: OPERATOR,
      }),
    insertRow: (_p, actor) => ({
      id: uid(),
      title: "inserted",
      filename: "inserted.md",
      mime_type: "text/markdown",
      size_bytes: 10,
      content_hash: `doc-${tag()}`,
      uploaded_by: actor ?? "anon",
    }),
    update: { title: "renamed" },
  },
  {
    table: "knowledge_base",
    ...sharedWrittenByOperators,
    fixture: (sys) =>
      sysInsert(sys, "knowledge_base", {
        topic: "fixture",
        content: "Binary search halves the interval.",
        source: "document_ingestion",
        content_hash: `kb-${tag()}`,
        status: "active",
      }),
    insertRow: () => ({ id: uid(), content: "inserted", source: "user_feedback", content_hash: `kb-${tag()}` }),
    update: { topic: "updated" },
  },

  // --- operators only ---------------------------------------------------------------------
  {
    table: "adaptations",
    ...operatorsOnly,
    fixture: (sys) => sysInsert(sys, "adaptations", { kind: "system_prompt", title: "fixture", fingerprint: `fp-${tag()}` }),
    insertRow: () => ({ id: uid(), kind: "routing_rule", title: "inserted", fingerprint: `fp-${tag()}` }),
    update: { status: "approved" },
  },
  {
    table: "experiments",
    ...operatorsOnly,
    parents: async (sys) => ({ control: await configVersion(sys), variant: await configVersion(sys) }),
    fixture: (sys, p) => sysInsert(sys, "experiments", { control_version_id: p.control, variant_version_id: p.variant }),
    insertRow: (p) => ({ id: uid(), control_version_id: p.control, variant_version_id: p.variant }),
    update: { status: "stopped" },
  },
  {
    table: "audit_log",
    owned: false,
    // Append-only, and an operator writes only as themselves.
    allow: { select: OPERATOR_ONLY, insert: OPERATOR_ONLY, update: NOBODY, delete: NOBODY },
    fixture: (sys) => sysInsert(sys, "audit_log", { actor: OPERATOR, action: "fixture", target_type: "test" }),
    insertRow: (_p, actor) => ({ id: uid(), actor: actor ?? "anon", action: "inserted", target_type: "test" }),
    update: { reason: "rewritten" },
  },
  {
    table: "jobs",
    owned: false,
    allow: { select: OPERATOR_ONLY, insert: OPERATOR_ONLY, update: OPERATOR_ONLY, delete: OPERATOR_ONLY },
    // Finished, so that deleting it is allowed to operators (running jobs are not deletable).
    fixture: (sys) => sysInsert(sys, "jobs", { kind: "reembed", status: "succeeded", progress: 1 }),
    insertRow: (_p, actor) => ({ id: uid(), kind: "learning_analysis", created_by: actor }),
    update: { stage: "updated" },
  },

  // --- analytics rollups: operators read; only the interactions' triggers write -----------
  {
    table: "interaction_rollups",
    ...readByOperatorsWrittenBySystem,
    key: "model",
    fixture: (sys) =>
      sysInsert(sys, "interaction_rollups", { grain: "day", bucket: "2026-01-01T00:00:00Z", model: `fixture-${tag()}`, task_type: "math", interactions: 3 }, "model"),
    insertRow: () => ({ grain: "day", bucket: "2026-01-02T00:00:00Z", model: `inserted-${tag()}`, task_type: "math", interactions: 1 }),
    update: { interactions: 99 },
  },
  {
    table: "fallback_rollups",
    ...readByOperatorsWrittenBySystem,
    key: "failed_model",
    fixture: (sys) =>
      sysInsert(sys, "fallback_rollups", { grain: "hour", bucket: "2026-01-01T05:00:00Z", task_type: "math", failed_model: `fixture-${tag()}`, rescue_model: "mathstral", count: 2 }, "failed_model"),
    insertRow: () => ({ grain: "hour", bucket: "2026-01-01T06:00:00Z", task_type: "math", failed_model: `inserted-${tag()}`, rescue_model: "", count: 1 }),
    update: { count: 99 },
  },
  {
    table: "param_arm_rollups",
    ...readByOperatorsWrittenBySystem,
    key: "model",
    fixture: (sys) =>
      sysInsert(sys, "param_arm_rollups", { grain: "day", bucket: "2026-01-01T00:00:00Z", model: `fixture-${tag()}`, task_type: "math", arm: "t0.2 p1024 c4096", interactions: 4 }, "model"),
    insertRow: () => ({ grain: "day", bucket: "2026-01-01T00:00:00Z", model: `inserted-${tag()}`, task_type: "math", arm: "t0.5 p512 c4096", interactions: 1 }),
    update: { successes: 99 },
  },
];

// --- harness --------------------------------------------------------------------------------

class Rollback extends Error {}

/** Runs an action as one of the matrix roles, or under explicit claims (null = anon). */
export type ActAs = <T>(who: Role | Claims | null, fn: (tx: Queryable) => Promise<T>) => Promise<T>;

/**
 * Runs fn in one transaction that is always rolled back. fn gets the system connection
 * (superuser, bypasses RLS) and `as`, which runs an action as a role through `withClaims`.
 */
export async function inRollback<T>(db: Database, fn: (sys: Queryable, as: ActAs) => Promise<T>): Promise<T> {
  let result!: T;
  try {
    await db.transaction(async (tx) => {
      result = await fn(tx, (who, action) => actAs(tx, typeof who === "string" ? claimsFor(who) : who, action));
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  return result;
}

/**
 * The app's own withClaims, with its transaction mapped onto a savepoint of the outer one.
 * A failed action rolls back to the savepoint (undoing its `set local role`); afterwards the
 * role and claims are reset so the system checks that follow run as `postgres` again.
 */
async function actAs<T>(tx: Queryable, claims: Claims | null, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  const nested: Database = {
    kind: "pglite",
    query: (sql, params) => tx.query(sql, params),
    exec: (sql) => tx.exec(sql),
    urgent: tx,
    transaction: async (inner) => {
      await tx.exec("savepoint act_as");
      try {
        const r = await inner(tx);
        await tx.exec("release savepoint act_as");
        return r;
      } catch (e) {
        await tx.exec("rollback to savepoint act_as");
        throw e;
      }
    },
    listen: () => Promise.reject(new Error("not used inside a test transaction")),
    exclusively: (_name, fn) => fn(),
    holdLock: async () => {},
    close: async () => {},
  };
  try {
    return await withClaims(nested, claims, fn);
  } finally {
    await tx.exec("set local role none");
    await tx.query("select set_config('request.jwt.claims', '', true)");
  }
}

export function insertSql(table: string, row: Row): { sql: string; params: unknown[] } {
  const cols = Object.keys(row);
  return {
    sql: `insert into public.${table} (${cols.join(", ")}) values (${cols.map((_, i) => `$${i + 1}`).join(", ")})`,
    params: cols.map((c) => row[c]),
  };
}

export function updateSql(table: string, key: string, set: Row, keyValue: string): { sql: string; params: unknown[] } {
  const cols = Object.keys(set);
  return {
    sql: `update public.${table} set ${cols.map((c, i) => `${c} = $${i + 1}`).join(", ")} where ${key} = $${cols.length + 1} returning ${key}`,
    params: [...cols.map((c) => set[c]), keyValue],
  };
}

/** The whole row as JSON, read as the system (null when it does not exist). */
export async function sysRow(sys: Queryable, table: string, key: string, value: string): Promise<Row | null> {
  const { rows } = await sys.query<{ r: Row }>(`select to_jsonb(t) as r from public.${table} t where ${key} = $1`, [value]);
  return rows[0]?.r ?? null;
}
